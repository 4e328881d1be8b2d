select
    note_id,
    note,
    created_by,
    created_at
from notes
where client_id = $client_id
order by created_at desc nulls last, note_id desc
