insert into winback (client_id, status, note, updated_by, updated_at)
values ($client_id, $status, $note, $user, $at)
on conflict (client_id) do update set
    status = excluded.status,
    note = excluded.note,
    updated_by = excluded.updated_by,
    updated_at = excluded.updated_at
