select
    min(day) as first_day,
    max(day) as last_day,
    count(distinct client_id)::integer as clients,
    coalesce(sum(lines), 0)::bigint as lines
from client_day
