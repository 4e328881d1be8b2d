-- Revenue and purchase days per client and month of either window, from lines_client_day
-- (client_day_from_lines.sql): the rows of client_window_months.sql by client_id. A day in both
-- windows (when they overlap) counts in both.
select
    client_id,
    datediff('month', $start::date, date_trunc('month', day))::integer as offset,
    datediff('month', $prev_start::date, date_trunc('month', day))::integer as prev_offset,
    sum(revenue) as revenue,
    count_if(purchase)::integer as purchase_days,
    day >= $start as current,
    day >= $prev_start and day <= $prev_end as previous
from lines_client_day
where day >= $start or (day >= $prev_start and day <= $prev_end)
group by all
