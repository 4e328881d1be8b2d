-- Company totals per month of [$start, $end] for the clients of the filter. Whole months come
-- from client_month, months cut by $start or $end from client_day; active_clients counts the
-- clients with a purchase day in the month.
with chosen as (
    select k.client_no, k.client_id
    from client_key as k
    left join clients_latest as c on c.client_id = k.client_id
    where client_in_filter(c.region, c.industry, c.manager, $regions::varchar[], $industries::varchar[], $managers::varchar[])
),
whole_months as (
    select
        month, revenue, profit, lines, profit_lines, ontime_lines, dated_lines,
        purchase_days > 0 as active
    from client_month
    where month >= $start and last_day(month) <= $end
      and client_no in (select client_no from chosen)
),
cut_months as (
    select
        date_trunc('month', day)::date as month,
        sum(revenue) as revenue,
        sum(profit) as profit,
        sum(lines) as lines,
        sum(profit_lines) as profit_lines,
        sum(ontime_lines) as ontime_lines,
        sum(dated_lines) as dated_lines,
        bool_or(purchase) as active
    from client_day
    where day >= $start and day <= $end
      and not (date_trunc('month', day) >= $start and last_day(day) <= $end)
      and client_id in (select client_id from chosen)
    group by client_id, month
),
units as (
    select * from whole_months
    union all
    select * from cut_months
)
select
    month,
    sum(revenue) as revenue,
    sum(profit) as profit,
    sum(lines)::bigint as lines,
    sum(profit_lines)::bigint as profit_lines,
    sum(ontime_lines)::bigint as ontime_lines,
    sum(dated_lines)::bigint as dated_lines,
    count(*) filter (where active)::integer as active_clients
from units
group by month
order by month
