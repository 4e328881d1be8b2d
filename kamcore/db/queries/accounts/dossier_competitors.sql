select
    competitor,
    share_of_wallet,
    strengths,
    weaknesses,
    notes,
    batch_id,
    updated_by,
    updated_at
from competitors
where client_id = $client_id
order by share_of_wallet desc nulls last, competitor
