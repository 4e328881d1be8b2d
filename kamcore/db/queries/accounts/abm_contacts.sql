select
    client_id,
    name,
    title,
    role,
    buying_role,
    email,
    phone,
    last_contact
from contacts
order by client_id, influence desc nulls last, name
