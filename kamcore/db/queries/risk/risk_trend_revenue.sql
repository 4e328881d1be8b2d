-- Net revenue of client_day rows in (since, last_purchase] per target of the table trend_targets
-- (i integer, c integer = client_key.client_no, since date, last_purchase date), which the caller registers
-- on the cursor (thousands of rows bind much faster as an Arrow table than as list parameters);
-- targets without such rows are left out.
with named as (
    select t.i, t.since, t.last_purchase, k.client_id
    from trend_targets as t
    join client_key as k on k.client_no = t.c
)
select
    t.i,
    sum(d.revenue) as revenue
from named as t
join client_day as d
    on d.client_id = t.client_id and d.day > t.since and d.day <= t.last_purchase
group by t.i
