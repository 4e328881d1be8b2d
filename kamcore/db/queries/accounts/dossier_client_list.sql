with seen as (
    select distinct client_id
    from client_day
)
select
    coalesce(c.client_id, s.client_id) as client_id,
    coalesce(c.name, s.client_id) as name
from clients_latest as c
full outer join seen as s on s.client_id = c.client_id
order by lower(coalesce(c.name, s.client_id)), client_id
