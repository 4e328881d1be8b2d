-- Client months a rebuild from the lines changes: stored_client_month (a temporary copy taken before
-- the rebuild, in the same transaction) against the rebuilt client_month. Sums within half a cent are equal.
select
    coalesce(s.client_id, m.client_id) as client_id,
    coalesce(s.month, m.month) as month,
    case when m.client_id is null then 'not in the lines'
         when s.client_id is null then 'missing'
         else 'differs' end as problem,
    s.revenue as stored_revenue,
    m.revenue as lines_revenue,
    s.lines as stored_lines,
    m.lines as lines_lines
from stored_client_month as s
full join client_month as m on m.client_id = s.client_id and m.month = s.month
where s.client_id is null
   or m.client_id is null
   or s.client_no <> m.client_no
   or abs(s.revenue - m.revenue) > 0.005
   or (s.profit is null) <> (m.profit is null) or abs(s.profit - m.profit) > 0.005
   or s.lines <> m.lines
   or s.profit_lines <> m.profit_lines
   or (s.profit_revenue is null) <> (m.profit_revenue is null) or abs(s.profit_revenue - m.profit_revenue) > 0.005
   or s.purchase_days <> m.purchase_days
   or s.first_day <> m.first_day
   or s.first_purchase is distinct from m.first_purchase
   or s.last_purchase is distinct from m.last_purchase
   or s.ontime_lines <> m.ontime_lines
   or s.dated_lines <> m.dated_lines
order by client_id, month
