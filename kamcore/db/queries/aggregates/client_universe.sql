-- The clients of a filter with a client_day row on or before $end (the rows of the analysis), by id.
with client_rows as (
    select *
    from clients
    qualify row_number() over (partition by client_id order by batch_id desc nulls last) = 1
),
seen as (
    select distinct client_id
    from client_day
    where day <= $end
)
select s.client_id
from seen as s
left join client_rows as c on c.client_id = s.client_id
where (len($regions::varchar[]) = 0 or list_contains($regions::varchar[], c.region))
  and (len($industries::varchar[]) = 0 or list_contains($industries::varchar[], c.industry))
  and (len($managers::varchar[]) = 0 or list_contains($managers::varchar[], c.manager))
order by s.client_id
