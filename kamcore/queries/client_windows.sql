with client_rows as (
    select *
    from clients
    qualify row_number() over (partition by client_id order by batch_id desc nulls last) = 1
),
units as (
    select
        client_no, month, revenue, profit, lines, profit_lines, first_day, first_purchase, last_purchase,
        month < $cut as in_history,
        month < $prev_cut as in_prev_history
    from client_month
    where month < greatest($cut, $prev_cut)
    union all
    select
        k.client_no,
        date_trunc('month', d.day)::date as month,
        d.revenue,
        d.profit,
        d.lines,
        d.profit_lines,
        d.day as first_day,
        case when d.purchase then d.day end as first_purchase,
        case when d.purchase then d.day end as last_purchase,
        d.day >= $cut and d.day <= $end as in_history,
        d.day >= $prev_cut and d.day <= $prev_end as in_prev_history
    from client_day as d
    join client_key as k on k.client_id = d.client_id
    where (d.day >= $cut and d.day <= $end) or (d.day >= $prev_cut and d.day <= $prev_end)
),
per_client as (
    select
        client_no,
        coalesce(sum(revenue) filter (where in_history and month >= $start), 0) as revenue,
        sum(profit) filter (where in_history and month >= $start) as profit,
        coalesce(sum(lines) filter (where in_history and month >= $start), 0)::bigint as lines,
        coalesce(sum(profit_lines) filter (where in_history and month >= $start), 0)::bigint as profit_lines,
        min(first_day) filter (where in_history) as first_day,
        min(first_purchase) filter (where in_history) as first_purchase,
        max(last_purchase) filter (where in_history) as last_purchase,
        coalesce(sum(revenue) filter (where in_prev_history and month >= $prev_start), 0) as prev_revenue,
        sum(profit) filter (where in_prev_history and month >= $prev_start) as prev_profit,
        coalesce(sum(lines) filter (where in_prev_history and month >= $prev_start), 0)::bigint as prev_lines,
        min(first_day) filter (where in_prev_history) as prev_first_day,
        min(first_purchase) filter (where in_prev_history) as prev_first_purchase
    from units
    group by client_no
)
select
    p.client_no,
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
    p.revenue,
    p.profit,
    p.lines,
    p.profit_lines,
    p.first_day,
    p.first_purchase,
    p.last_purchase,
    p.prev_revenue,
    p.prev_profit,
    p.prev_lines,
    p.prev_first_day,
    p.prev_first_purchase
from per_client as p
join client_key as k on k.client_no = p.client_no
left join client_rows as c on c.client_id = k.client_id
where (len($regions::varchar[]) = 0 or list_contains($regions::varchar[], c.region))
  and (len($industries::varchar[]) = 0 or list_contains($industries::varchar[], c.industry))
  and (len($managers::varchar[]) = 0 or list_contains($managers::varchar[], c.manager))
order by k.client_id
