-- Gaps between consecutive purchase days up to $as_of whose previous purchase day is after $first_cut:
-- c = client_key.client_no, day_no = days since $first_cut (the caller keeps that span below 2^15 days),
-- gap = client_day.gap_days; the previous purchase day is day_no - gap. Ordered by client, then gap (the
-- cadence reads each client's median at the middle rank).
select
    k.client_no as c,
    (d.day - $first_cut)::smallint as day_no,
    d.gap_days::smallint as gap
from client_day as d
join client_key as k on k.client_id = d.client_id
where d.day <= $as_of
  and d.purchase
  and d.day - d.gap_days > $first_cut
  and ($all or d.client_id in (select unnest($clients::varchar[])))
order by c, gap
