with days as (
    select client_id, day, revenue, purchase
    from client_day
    where day >= $start and day <= $end
),
indexed as (
    select
        client_id,
        (datediff('month', $start::date, day) // $step)::integer as period,
        revenue,
        purchase
    from days
)
select
    client_id,
    period,
    sum(revenue) as revenue,
    count(*) filter (where purchase)::integer as purchase_days
from indexed
group by client_id, period
order by client_id, period
