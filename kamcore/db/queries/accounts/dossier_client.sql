with days as (
    select
        client_id,
        min(day) as first_day,
        min(day) filter (where purchase) as first_purchase,
        max(day) filter (where purchase) as last_purchase,
        count(*) filter (where purchase)::integer as purchase_days
    from client_day
    where client_id = $client_id and day <= $as_of
    group by client_id
),
wanted as (
    select $client_id::varchar as client_id
)
select
    w.client_id,
    coalesce(c.name, w.client_id) as name,
    c.industry,
    c.region,
    c.country,
    c.manager,
    c.employees,
    c.founded,
    c.description,
    c.org_structure,
    c.website,
    c.potential,
    coalesce(c.image_maker, false) as image_maker,
    c.requirements,
    c.first_contract,
    coalesce(c.key, false) as key_by_hand,
    d.first_day,
    d.first_purchase,
    d.last_purchase,
    coalesce(d.purchase_days, 0) as purchase_days,
    c.client_id is not null as known
from wanted as w
left join clients_latest as c on c.client_id = w.client_id
left join days as d on d.client_id = w.client_id
