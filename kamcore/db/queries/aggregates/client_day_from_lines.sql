-- Client x day straight from the transaction lines up to $end, as a temporary table of the calling
-- connection (client_windows_from_lines.sql and client_window_months_from_lines.sql read it). The
-- definitions of client_day: profit falls back to revenue - cost, a purchase day nets more than 0.00.
create or replace temp table lines_client_day as
select
    client_id,
    date as day,
    sum(revenue) as revenue,
    sum(coalesce(profit, revenue - cost)) as profit,
    count(*)::integer as lines,
    count(coalesce(profit, revenue - cost))::integer as profit_lines,
    coalesce(sum(revenue) filter (where coalesce(profit, revenue - cost) is not null), 0) as profit_revenue,
    round(sum(revenue), 2) > 0 as purchase
from transactions
where date <= $end
group by client_id, date
