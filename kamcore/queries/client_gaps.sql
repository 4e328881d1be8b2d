select
    client_id,
    median(gap_days)::double as median_gap_days
from client_day
where day >= $start and day <= $end and purchase and gap_days is not null
group by client_id
order by client_id
