select
    w.client_id,
    w.status,
    w.note,
    w.updated_by,
    w.updated_at
from winback as w
order by w.client_id
