select
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
    converted_client_id
from prospects
where prospect_id = $prospect_id
order by batch_id desc nulls last
limit 1
