insert into client_day (client_id, day, revenue, profit, quantity, lines, profit_lines, ontime_lines, dated_lines,
                        purchase, gap_days, profit_revenue)
with source_lines as (
    select
        t.client_id,
        t.date as day,
        t.revenue,
        coalesce(t.profit, t.revenue - t.cost) as profit,
        t.quantity,
        t.promised_date,
        t.delivered_date
    from transactions as t
    where $all or t.client_id in (select unnest($clients::varchar[]))
),
days as (
    select
        client_id,
        day,
        sum(revenue) as revenue,
        sum(profit) as profit,
        sum(quantity) as quantity,
        count(*)::integer as lines,
        count(profit)::integer as profit_lines,
        coalesce(sum(revenue) filter (where profit is not null), 0) as profit_revenue,
        count(*) filter (where delivered_date <= promised_date)::integer as ontime_lines,
        count(*) filter (where delivered_date is not null and promised_date is not null)::integer as dated_lines
    from source_lines
    group by client_id, day
),
flagged as (
    select *, round(revenue, 2) > 0 as purchase
    from days
)
select
    client_id, day, revenue, profit, quantity, lines, profit_lines,
    ontime_lines, dated_lines, purchase,
    case when purchase
        then (day - lag(day) over (partition by client_id, purchase order by day))::integer
    end as gap_days,
    profit_revenue
from flagged
