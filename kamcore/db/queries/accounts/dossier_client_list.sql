with client_rows as (
    select client_id, name
    from clients
    qualify row_number() over (partition by client_id order by batch_id desc nulls last) = 1
),
seen as (
    select distinct client_id
    from client_day
)
select
    coalesce(c.client_id, s.client_id) as client_id,
    coalesce(c.name, s.client_id) as name
from client_rows as c
full outer join seen as s on s.client_id = c.client_id
order by lower(coalesce(c.name, s.client_id)), client_id
