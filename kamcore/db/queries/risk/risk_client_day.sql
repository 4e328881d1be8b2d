select
    d.client_id,
    d.day,
    d.revenue,
    d.purchase,
    d.lines,
    d.ontime_lines,
    d.dated_lines
from client_day as d
where d.day <= $as_of
  and ($all or d.client_id in (select unnest($clients::varchar[])))
order by d.client_id, d.day
