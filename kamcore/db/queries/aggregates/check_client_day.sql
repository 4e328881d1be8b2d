-- Client days a rebuild from the lines changes: stored_client_day (a temporary copy taken before the
-- rebuild, in the same transaction) against the rebuilt client_day. Sums within half a cent are equal.
select
    coalesce(s.client_id, d.client_id) as client_id,
    coalesce(s.day, d.day) as day,
    case when d.client_id is null then 'not in the lines'
         when s.client_id is null then 'missing'
         else 'differs' end as problem,
    s.revenue as stored_revenue,
    d.revenue as lines_revenue,
    s.lines as stored_lines,
    d.lines as lines_lines
from stored_client_day as s
full join client_day as d on d.client_id = s.client_id and d.day = s.day
where s.client_id is null
   or d.client_id is null
   or abs(s.revenue - d.revenue) > 0.005
   or (s.profit is null) <> (d.profit is null) or abs(s.profit - d.profit) > 0.005
   or (s.quantity is null) <> (d.quantity is null) or abs(s.quantity - d.quantity) > 0.005
   or s.lines <> d.lines
   or s.profit_lines <> d.profit_lines
   or (s.profit_revenue is null) <> (d.profit_revenue is null) or abs(s.profit_revenue - d.profit_revenue) > 0.005
   or s.ontime_lines <> d.ontime_lines
   or s.dated_lines <> d.dated_lines
   or s.purchase <> d.purchase
   or s.gap_days is distinct from d.gap_days
order by client_id, day
