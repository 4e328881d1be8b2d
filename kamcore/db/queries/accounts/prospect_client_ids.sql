select distinct client_id
from (
    select client_id from clients
    union all
    select client_id from client_day
) as ids
order by client_id
