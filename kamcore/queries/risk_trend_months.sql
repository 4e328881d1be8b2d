with days as (
    select client_id, day, revenue, purchase
    from client_day
    where day <= $as_of
      and ($all or client_id in (select unnest($clients::varchar[])))
),
clients as (
    select client_id, (row_number() over (order by client_id) - 1)::integer as c
    from (select distinct client_id from days)
),
buckets as (
    select
        client_id,
        greatest(datediff('month', $first_point, day), $older)::integer as bucket,
        sum(revenue) as revenue,
        coalesce(sum(revenue) filter (where day <= $prev_end), 0) as revenue_to_prev_end,
        max(day) filter (where purchase) as last_purchase
    from days
    group by all
)
select
    c.c,
    b.bucket,
    b.revenue,
    b.revenue_to_prev_end,
    b.last_purchase
from buckets as b
join clients as c on c.client_id = b.client_id
