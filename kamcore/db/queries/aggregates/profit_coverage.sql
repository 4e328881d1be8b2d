-- Revenue and the revenue of lines with known profit over [$start, $end], the whole company (DOMAIN.md §1
-- profit coverage): whole months from client_month, the months $start or $end cut from client_day.
with whole_months as (
    select revenue, profit_revenue, lines, profit_lines
    from client_month
    where month >= $start and last_day(month) <= $end
),
cut_days as (
    select revenue, profit_revenue, lines, profit_lines
    from client_day
    where day >= $start and day <= $end
      and not (date_trunc('month', day) >= $start and last_day(day) <= $end)
),
units as (
    select * from whole_months
    union all
    select * from cut_days
)
select
    coalesce(sum(revenue), 0)::double as revenue,
    coalesce(sum(profit_revenue), 0)::double as profit_revenue,
    coalesce(sum(lines), 0)::bigint as lines,
    coalesce(sum(profit_lines), 0)::bigint as profit_lines
from units
