with days as (
    select client_id, day, revenue, purchase, gap_days, ontime_lines, dated_lines
    from client_day
    where day <= $as_of
      and ($all or client_id in (select unnest($clients::varchar[])))
)
select
    client_id,
    max(day) filter (where purchase) as last_purchase,
    count(*) filter (where purchase and day > $cut)::bigint as n_recent,
    quantile_cont(gap_days, 0.5) filter (where purchase and day > $cut and day - gap_days > $cut)::double as median_gap,
    coalesce(sum(revenue) filter (where day >= $cur_start), 0) as rev_last3,
    coalesce(sum(revenue) filter (where day >= $prev_start and day <= $prev_end), 0) as rev_last3_prev,
    coalesce(sum(ontime_lines) filter (where day >= $window_start), 0)::bigint as ontime_lines,
    coalesce(sum(dated_lines) filter (where day >= $window_start), 0)::bigint as dated_lines
from days
group by client_id
order by client_id
