select
    min(day) as first_day,
    max(day) as last_day,
    count(distinct client_id)::integer as clients,
    coalesce(sum(lines), 0)::bigint as lines,
    coalesce(sum(profit_lines), 0)::bigint as profit_lines
from client_day
