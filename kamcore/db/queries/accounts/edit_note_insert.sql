insert into notes (note_id, client_id, note, created_by, created_at)
select coalesce(max(note_id), 0) + 1, $client_id, $note, $user, $now
from notes
