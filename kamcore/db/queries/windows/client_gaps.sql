with gaps as (
    select
        client_id,
        median(gap_days)::double as median_gap_days
    from client_day
    where day >= $start and day <= $end and purchase and gap_days is not null
    group by client_id
)
select
    g.client_id,
    g.median_gap_days,
    k.client_no
from gaps as g
join client_key as k on k.client_id = g.client_id
order by g.client_id
