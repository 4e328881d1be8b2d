insert into client_month (client_no, client_id, month, revenue, profit, lines, profit_lines, purchase_days, first_day,
                          first_purchase, last_purchase, ontime_lines, dated_lines, profit_revenue)
with months as (
    -- case expressions instead of FILTER clauses: the same values, a cheaper hash aggregate
    select
        client_id,
        date_trunc('month', day)::date as month,
        sum(revenue) as revenue,
        sum(profit) as profit,
        sum(lines)::integer as lines,
        sum(profit_lines)::integer as profit_lines,
        sum(profit_revenue) as profit_revenue,
        count_if(purchase)::integer as purchase_days,
        min(day) as first_day,
        min(case when purchase then day end) as first_purchase,
        max(case when purchase then day end) as last_purchase,
        sum(ontime_lines)::integer as ontime_lines,
        sum(dated_lines)::integer as dated_lines
    from client_day
    where $all or client_id in (select unnest($clients::varchar[]))
    group by client_id, month
)
select
    k.client_no, m.client_id, m.month, m.revenue, m.profit, m.lines, m.profit_lines, m.purchase_days,
    m.first_day, m.first_purchase, m.last_purchase, m.ontime_lines, m.dated_lines,
    m.profit_revenue
from months as m
join client_key as k on k.client_id = m.client_id
