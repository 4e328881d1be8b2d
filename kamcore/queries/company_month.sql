with client_rows as (
    select *
    from clients
    qualify row_number() over (partition by client_id order by batch_id desc nulls last) = 1
),
days as (
    select d.client_id, d.day, d.revenue, d.profit, d.lines, d.profit_lines, d.ontime_lines, d.dated_lines, d.purchase, c.region, c.industry, c.manager
    from client_day as d
    left join client_rows as c on c.client_id = d.client_id
    where d.day >= $start and d.day <= $end
)
select
    date_trunc('month', day)::date as month,
    sum(revenue) as revenue,
    sum(profit) as profit,
    sum(lines)::bigint as lines,
    sum(profit_lines)::bigint as profit_lines,
    sum(ontime_lines)::bigint as ontime_lines,
    sum(dated_lines)::bigint as dated_lines,
    count(distinct client_id) filter (where purchase)::integer as active_clients
from days
where (len($regions::varchar[]) = 0 or list_contains($regions::varchar[], region))
  and (len($industries::varchar[]) = 0 or list_contains($industries::varchar[], industry))
  and (len($managers::varchar[]) = 0 or list_contains($managers::varchar[], manager))
group by month
order by month
