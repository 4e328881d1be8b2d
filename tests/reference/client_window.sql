-- One window's figures per client straight from client_day (no client_month): the plain reference that
-- tests/db/test_queries.py and tests/accounts/test_managers.py check client_windows.sql and the analysis against.
with days as (
    select client_id, day, revenue, profit, lines, profit_lines, profit_revenue, purchase
    from client_day
    where day <= $end
),
per_client as (
    select
        client_id,
        coalesce(sum(revenue) filter (where day >= $start), 0) as revenue,
        sum(profit) filter (where day >= $start) as profit,
        coalesce(sum(lines) filter (where day >= $start), 0)::bigint as lines,
        coalesce(sum(profit_lines) filter (where day >= $start), 0)::bigint as profit_lines,
        coalesce(sum(profit_revenue) filter (where day >= $start), 0) as profit_revenue,
        min(day) as first_day,
        min(day) filter (where purchase) as first_purchase,
        max(day) filter (where purchase) as last_purchase
    from days
    group by client_id
)
select
    p.client_id,
    coalesce(c.name, p.client_id) as name,
    c.region,
    c.industry,
    c.manager,
    c.potential,
    coalesce(c.image_maker, false) as image_maker,
    c.requirements,
    c.first_contract,
    coalesce(c.key, false) as key_by_hand,
    p.revenue,
    p.profit,
    p.lines,
    p.profit_lines,
    p.profit_revenue,
    p.first_day,
    p.first_purchase,
    p.last_purchase
from per_client as p
left join clients_latest as c on c.client_id = p.client_id
where client_in_filter(c.region, c.industry, c.manager, $regions::varchar[], $industries::varchar[], $managers::varchar[])
order by p.client_id
