insert into client_month
with days as (
    select d.*, k.client_no
    from client_day as d
    join client_key as k on k.client_id = d.client_id
    where $all or d.client_id in (select unnest($clients::varchar[]))
)
select
    client_no,
    client_id,
    date_trunc('month', day)::date as month,
    sum(revenue) as revenue,
    sum(profit) as profit,
    sum(lines)::integer as lines,
    sum(profit_lines)::integer as profit_lines,
    count(*) filter (where purchase)::integer as purchase_days,
    min(day) as first_day,
    min(day) filter (where purchase) as first_purchase,
    max(day) filter (where purchase) as last_purchase
from days
group by client_no, client_id, month
