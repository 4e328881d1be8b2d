with days as (
    select client_id, day, revenue, purchase, ontime_lines, dated_lines
    from client_day
    where day <= $as_of
      and ($all or client_id in (select unnest($clients::varchar[])))
),
recent as (
    select
        client_id,
        day - lag(day) over (partition by client_id order by day) as gap
    from days
    where purchase and day > $cut
),
rhythm as (
    select
        client_id,
        count(*)::bigint as n_recent,
        quantile_cont(gap, 0.5)::double as median_gap
    from recent
    group by client_id
),
totals as (
    select
        client_id,
        max(day) filter (where purchase) as last_purchase,
        coalesce(sum(revenue) filter (where day >= $cur_start), 0) as rev_last3,
        coalesce(sum(revenue) filter (where day >= $prev_start and day <= $prev_end), 0) as rev_last3_prev,
        coalesce(sum(ontime_lines) filter (where day >= $window_start), 0)::bigint as ontime_lines,
        coalesce(sum(dated_lines) filter (where day >= $window_start), 0)::bigint as dated_lines
    from days
    group by client_id
)
select
    t.client_id,
    t.last_purchase,
    coalesce(r.n_recent, 0) as n_recent,
    r.median_gap,
    t.rev_last3,
    t.rev_last3_prev,
    t.ontime_lines,
    t.dated_lines
from totals as t
left join rhythm as r on r.client_id = t.client_id
order by t.client_id
