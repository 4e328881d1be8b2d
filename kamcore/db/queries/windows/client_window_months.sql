with partial_days as (
    select
        k.client_no,
        date_trunc('month', d.day)::date as month,
        d.revenue,
        d.purchase,
        d.day >= $cut and d.day <= $end as in_history,
        d.day >= $prev_cut and d.day <= $prev_end as in_prev_history
    from client_day as d
    join client_key as k on k.client_id = d.client_id
    where (d.day >= $cut and d.day <= $end) or (d.day >= $prev_cut and d.day <= $prev_end)
),
units as (
    select
        client_no, month, revenue, purchase_days,
        month < $cut as in_history,
        month < $prev_cut as in_prev_history
    from client_month
    where month >= least($start, $prev_start) and month < greatest($cut, $prev_cut)
    union all
    select
        client_no, month, sum(revenue) as revenue, count(*) filter (where purchase)::integer as purchase_days,
        in_history, in_prev_history
    from partial_days
    group by client_no, month, in_history, in_prev_history
)
select
    client_no,
    datediff('month', $start::date, month)::integer as offset,
    datediff('month', $prev_start::date, month)::integer as prev_offset,
    revenue,
    purchase_days,
    in_history and month >= $start as current,
    in_prev_history and month >= $prev_start as previous
from units
where (in_history and month >= $start) or (in_prev_history and month >= $prev_start)
