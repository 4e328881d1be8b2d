-- The clients of a filter with a client_day row on or before $end (the rows of the analysis), by id.
with seen as (
    select distinct client_id
    from client_day
    where day <= $end
)
select s.client_id
from seen as s
left join clients_latest as c on c.client_id = s.client_id
where client_in_filter(c.region, c.industry, c.manager, $regions::varchar[], $industries::varchar[], $managers::varchar[])
order by s.client_id
