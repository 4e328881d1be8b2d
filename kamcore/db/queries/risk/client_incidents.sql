select
    i.client_id,
    i.date,
    i.category,
    i.stage
from incidents as i
where i.date > $since
  and i.date <= $as_of
  and ($all or i.client_id in (select unnest($clients::varchar[])))
order by i.client_id, i.date
