select
    client_id,
    buying_role,
    last_contact
from contacts
order by client_id
