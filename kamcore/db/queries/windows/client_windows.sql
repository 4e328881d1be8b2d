with partial_days as (
    select
        k.client_no, d.day, d.revenue, d.profit, d.lines, d.profit_lines, d.profit_revenue,
        case when d.purchase then d.day end as purchase_day,
        d.day >= $cut and d.day <= $end as in_current,
        d.day >= $prev_cut and d.day <= $prev_end as in_previous
    from client_day as d
    join client_key as k on k.client_id = d.client_id
    where ($cut <= $end and d.day >= $cut and d.day <= $end)
       or ($prev_cut <= $prev_end and d.day >= $prev_cut and d.day <= $prev_end)
),
history as (
    select client_no, min(first_day) as first_day, min(first_purchase) as first_purchase,
        max(last_purchase) as last_purchase
    from (
        select client_no, first_day, first_purchase, last_purchase from client_month where month < $cut
        union all
        select client_no, day, purchase_day, purchase_day from partial_days where in_current
    )
    group by client_no
),
current_window as (
    select client_no, sum(revenue) as revenue, sum(profit) as profit, sum(lines) as lines,
        sum(profit_lines) as profit_lines, sum(profit_revenue) as profit_revenue
    from (
        select client_no, revenue, profit, lines, profit_lines, profit_revenue from client_month where month >= $start and month < $cut
        union all
        select client_no, revenue, profit, lines, profit_lines, profit_revenue from partial_days where in_current
    )
    group by client_no
),
previous_window as (
    select client_no, sum(revenue) as revenue, sum(profit) as profit, sum(lines) as lines,
        sum(profit_lines) as profit_lines, sum(profit_revenue) as profit_revenue
    from (
        select client_no, revenue, profit, lines, profit_lines, profit_revenue from client_month
        where month >= $prev_start and month < $prev_cut
        union all
        select client_no, revenue, profit, lines, profit_lines, profit_revenue from partial_days where in_previous
    )
    group by client_no
)
select
    h.client_no,
    k.client_id,
    coalesce(c.name, k.client_id) as name,
    c.region,
    c.industry,
    c.manager,
    c.potential,
    coalesce(c.image_maker, false) as image_maker,
    c.requirements,
    c.first_contract,
    coalesce(c.key, false) as key_by_hand,
    coalesce(w.revenue, 0) as revenue,
    w.profit,
    coalesce(w.lines, 0)::bigint as lines,
    coalesce(w.profit_lines, 0)::bigint as profit_lines,
    coalesce(w.profit_revenue, 0) as profit_revenue,
    h.first_day,
    h.first_purchase,
    h.last_purchase,
    coalesce(p.revenue, 0) as prev_revenue,
    p.profit as prev_profit,
    coalesce(p.lines, 0)::bigint as prev_lines,
    coalesce(p.profit_lines, 0)::bigint as prev_profit_lines,
    coalesce(p.profit_revenue, 0) as prev_profit_revenue,
    case when h.first_day <= $prev_end then h.first_day end as prev_first_day,
    case when h.first_purchase <= $prev_end then h.first_purchase end as prev_first_purchase
from history as h
join client_key as k on k.client_no = h.client_no
left join current_window as w on w.client_no = h.client_no
left join previous_window as p on p.client_no = h.client_no
left join clients_latest as c on c.client_id = k.client_id
where client_in_filter(c.region, c.industry, c.manager, $regions::varchar[], $industries::varchar[], $managers::varchar[])
order by k.client_id
