-- One row per client from lines_client_day (client_day_from_lines.sql), without the stored aggregates:
-- the columns of client_windows.sql (client_no numbered here, in client_id order), with the median
-- purchase gap of the current window (client_gaps.sql).
with per_client as (
    select
        client_id,
        min(day) as first_day,
        min(day) filter (where purchase) as first_purchase,
        max(day) filter (where purchase) as last_purchase,
        max(day) filter (where purchase and day < $start) as purchase_before,
        sum(revenue) filter (where day >= $start) as revenue,
        sum(profit) filter (where day >= $start) as profit,
        sum(lines) filter (where day >= $start) as lines,
        sum(profit_lines) filter (where day >= $start) as profit_lines,
        sum(profit_revenue) filter (where day >= $start) as profit_revenue,
        sum(revenue) filter (where day >= $prev_start and day <= $prev_end) as prev_revenue,
        sum(profit) filter (where day >= $prev_start and day <= $prev_end) as prev_profit,
        sum(lines) filter (where day >= $prev_start and day <= $prev_end) as prev_lines,
        sum(profit_lines) filter (where day >= $prev_start and day <= $prev_end) as prev_profit_lines,
        sum(profit_revenue) filter (where day >= $prev_start and day <= $prev_end) as prev_profit_revenue
    from lines_client_day
    group by client_id
),
window_purchases as (
    -- purchase days of the window, after each client's last purchase day before it (its first gap)
    select client_id, day from lines_client_day where purchase and day >= $start
    union all
    select client_id, purchase_before as day from per_client where purchase_before is not null
),
gaps as (
    select client_id, median(gap)::double as median_gap_days
    from (
        select client_id, day - lag(day) over (partition by client_id order by day) as gap
        from window_purchases
    )
    where gap is not null
    group by client_id
)
select
    (row_number() over (order by p.client_id))::integer as client_no,
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
    coalesce(p.revenue, 0) as revenue,
    p.profit,
    coalesce(p.lines, 0)::bigint as lines,
    coalesce(p.profit_lines, 0)::bigint as profit_lines,
    coalesce(p.profit_revenue, 0) as profit_revenue,
    p.first_day,
    p.first_purchase,
    p.last_purchase,
    coalesce(p.prev_revenue, 0) as prev_revenue,
    p.prev_profit,
    coalesce(p.prev_lines, 0)::bigint as prev_lines,
    coalesce(p.prev_profit_lines, 0)::bigint as prev_profit_lines,
    coalesce(p.prev_profit_revenue, 0) as prev_profit_revenue,
    case when p.first_day <= $prev_end then p.first_day end as prev_first_day,
    case when p.first_purchase <= $prev_end then p.first_purchase end as prev_first_purchase,
    g.median_gap_days
from per_client as p
left join clients_latest as c on c.client_id = p.client_id
left join gaps as g on g.client_id = p.client_id
where client_in_filter(c.region, c.industry, c.manager, $regions::varchar[], $industries::varchar[], $managers::varchar[])
order by p.client_id
