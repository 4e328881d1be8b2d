select
    client_id,
    count(*)::integer as incidents,
    count(*) filter (where lower(stage) = 'quality')::integer as quality_incidents
from incidents
where date >= $start and date <= $end
group by client_id
order by client_id
