select
    client_id,
    status
from winback
order by client_id
