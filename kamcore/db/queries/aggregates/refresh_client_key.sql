insert into client_key
with touched as (
    select distinct client_id
    from client_day
    where $all or client_id in (select unnest($clients::varchar[]))
),
new_ids as (
    select t.client_id
    from touched as t
    anti join client_key as k on k.client_id = t.client_id
)
select
    client_id,
    ((select coalesce(max(client_no), 0) from client_key) + row_number() over (order by client_id))::integer as client_no
from new_ids
