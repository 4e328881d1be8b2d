with days as (
    select day, revenue, profit, lines, profit_lines, ontime_lines, dated_lines
    from client_day
    where client_id = $client_id and day >= $start and day <= $end
)
select
    date_trunc('month', day)::date as month,
    sum(revenue) as revenue,
    sum(profit) as profit,
    sum(lines)::bigint as lines,
    sum(profit_lines)::bigint as profit_lines,
    sum(ontime_lines)::bigint as ontime_lines,
    sum(dated_lines)::bigint as dated_lines,
    case when sum(dated_lines) > 0 then sum(ontime_lines) / sum(dated_lines) end as on_time_rate
from days
group by month
order by month
