select
    client_id,
    min(day) as first,
    max(day) as last,
    count(*)::bigint as n
from client_day
where purchase and day <= $as_of
group by client_id
order by client_id
