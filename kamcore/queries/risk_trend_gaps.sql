with days as (
    select client_id, day, purchase, gap_days
    from client_day
    where day <= $as_of
      and ($all or client_id in (select unnest($clients::varchar[])))
),
clients as (
    select client_id, (row_number() over (order by client_id) - 1)::integer as c
    from (select distinct client_id from days)
)
select
    c.c,
    (d.day - $first_cut)::integer as day_no,
    (d.day - d.gap_days - $first_cut)::integer as previous_day_no,
    d.gap_days as gap
from days as d
join clients as c on c.client_id = d.client_id
where d.purchase
  and d.day - d.gap_days > $first_cut
