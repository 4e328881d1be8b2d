select
    incident_id,
    date,
    category,
    severity,
    stage,
    description,
    resolved_date
from incidents
where client_id = $client_id and date <= $as_of
order by date desc, incident_id
