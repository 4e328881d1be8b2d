select
    prospect_id,
    name,
    industry,
    region,
    source,
    need,
    solvency,
    authority,
    potential,
    owner,
    notes,
    converted_client_id,
    batch_id,
    updated_by,
    updated_at
from prospects
order by name, prospect_id
