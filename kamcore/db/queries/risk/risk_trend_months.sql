-- Per client (c = client_key.client_no) and month bucket (months since $first_point, the months up to
-- $older_month pooled at $older): revenue, revenue up to $prev_end and the last purchase day (days since
-- 1970-01-01, null without a purchase), over rows up to $as_of. One row per (c, bucket): a month after
-- $older_month is one row of client_month or of the cut months already, so only the pooled ones are grouped.
-- Whole months come from client_month; from client_day only the month $as_of cuts (days from $cut)
-- and the month $prev_end cuts ($prev_month, null when $prev_end is a month end).
with whole_months as (
    select
        client_no as c,
        month,
        revenue,
        case when last_day(month) <= $prev_end then revenue else 0 end as revenue_to_prev_end,
        last_purchase
    from client_month
    where month < $cut
      and month is distinct from $prev_month::date
      and ($all or client_id in (select unnest($clients::varchar[])))
),
cut_days as (
    select client_id, day, revenue, purchase
    from client_day
    where ((day >= $cut and day <= $as_of) or date_trunc('month', day) = $prev_month::date)
      and ($all or client_id in (select unnest($clients::varchar[])))
),
cut_months as (
    select
        k.client_no as c,
        date_trunc('month', d.day)::date as month,
        sum(d.revenue) as revenue,
        coalesce(sum(d.revenue) filter (where d.day <= $prev_end), 0) as revenue_to_prev_end,
        max(d.day) filter (where d.purchase) as last_purchase
    from cut_days as d
    join client_key as k on k.client_id = d.client_id
    group by all
),
units as (
    select * from whole_months
    union all
    select * from cut_months
)
select
    c,
    datediff('month', $first_point, month)::smallint as bucket,
    revenue,
    revenue_to_prev_end,
    (last_purchase - date '1970-01-01')::integer as last_purchase
from units
where month > $older_month
union all
select
    c,
    $older::smallint as bucket,
    sum(revenue) as revenue,
    sum(revenue_to_prev_end) as revenue_to_prev_end,
    (max(last_purchase) - date '1970-01-01')::integer as last_purchase
from units
where month <= $older_month
group by c
