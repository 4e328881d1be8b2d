with targets as (
    select
        unnest($clients::varchar[]) as client_id,
        unnest($since::date[]) as since,
        unnest($last::date[]) as last_purchase
)
select
    t.client_id,
    t.last_purchase,
    sum(d.revenue) as revenue
from targets as t
join client_day as d
    on d.client_id = t.client_id and d.day > t.since and d.day <= t.last_purchase
group by t.client_id, t.last_purchase
order by t.client_id, t.last_purchase
