-- Per client (numbered c in client_id order) and month bucket (months since $first_point, older months
-- pooled at $older): revenue, revenue up to $prev_end and the last purchase day, over rows up to $as_of.
-- Whole months come from client_month; from client_day only the month $as_of cuts (days from $cut)
-- and the month $prev_end cuts ($prev_month, null when $prev_end is a month end).
with whole_months as (
    select
        client_id,
        month,
        revenue,
        case when last_day(month) <= $prev_end then revenue else 0 end as revenue_to_prev_end,
        last_purchase
    from client_month
    where month < $cut
      and month is distinct from $prev_month::date
      and ($all or client_id in (select unnest($clients::varchar[])))
),
cut_months as (
    select
        client_id,
        date_trunc('month', day)::date as month,
        sum(revenue) as revenue,
        coalesce(sum(revenue) filter (where day <= $prev_end), 0) as revenue_to_prev_end,
        max(day) filter (where purchase) as last_purchase
    from client_day
    where ((day >= $cut and day <= $as_of) or date_trunc('month', day) = $prev_month::date)
      and ($all or client_id in (select unnest($clients::varchar[])))
    group by client_id, month
),
units as (
    select * from whole_months
    union all
    select * from cut_months
),
clients as (
    select client_id, (row_number() over (order by client_id) - 1)::integer as c
    from (select distinct client_id from units)
),
buckets as (
    select
        client_id,
        greatest(datediff('month', $first_point, month), $older)::integer as bucket,
        sum(revenue) as revenue,
        sum(revenue_to_prev_end) as revenue_to_prev_end,
        max(last_purchase) as last_purchase
    from units
    group by all
)
select
    c.c,
    b.bucket,
    b.revenue,
    b.revenue_to_prev_end,
    b.last_purchase
from buckets as b
join clients as c on c.client_id = b.client_id
