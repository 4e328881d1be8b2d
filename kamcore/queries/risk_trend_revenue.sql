with clients as (
    select client_id, (row_number() over (order by client_id) - 1)::integer as c
    from (
        select distinct client_id
        from client_day
        where day <= $as_of
          and ($all or client_id in (select unnest($clients::varchar[])))
    )
),
targets as (
    select
        unnest($c::integer[]) as c,
        unnest($since::date[]) as since,
        unnest($last::date[]) as last_purchase
)
select
    t.c,
    t.last_purchase,
    sum(d.revenue) as revenue
from targets as t
join clients as k on k.c = t.c
join client_day as d
    on d.client_id = k.client_id and d.day > t.since and d.day <= t.last_purchase
group by t.c, t.last_purchase
