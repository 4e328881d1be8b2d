with counts as (
    select
        client_id,
        count(*)::integer as incidents,
        count(*) filter (where lower(stage) = 'quality')::integer as quality_incidents
    from incidents
    where date >= $start and date <= $end
    group by client_id
)
select
    c.client_id,
    c.incidents,
    c.quality_incidents,
    k.client_no
from counts as c
join client_key as k on k.client_id = c.client_id
order by c.client_id
