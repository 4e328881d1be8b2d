select
    contact_id,
    name,
    role,
    title,
    buying_role,
    influence,
    attitude,
    reports_to,
    last_contact,
    email,
    phone,
    batch_id,
    updated_by,
    updated_at
from contacts
where client_id = $client_id
order by influence desc nulls last, name, contact_id
