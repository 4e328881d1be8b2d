select
    tender_id,
    date,
    status,
    title,
    value,
    reasons,
    winner,
    batch_id,
    updated_by,
    updated_at
from tenders
where client_id = $client_id
order by date desc, tender_id
