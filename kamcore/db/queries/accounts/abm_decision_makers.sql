-- Contacts whose buying role may mean decision maker (abm.is_decision_maker decides exactly):
-- every spelling it accepts contains "decision".
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
where buying_role ilike '%decision%'
order by client_id, influence desc nulls last, name
