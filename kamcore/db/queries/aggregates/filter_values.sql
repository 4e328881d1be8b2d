with client_rows as (
    select *
    from clients
    qualify row_number() over (partition by client_id order by batch_id desc nulls last) = 1
)
select
    coalesce(list(distinct region order by region) filter (where region is not null), []::varchar[]) as regions,
    coalesce(list(distinct industry order by industry) filter (where industry is not null), []::varchar[]) as industries,
    coalesce(list(distinct manager order by manager) filter (where manager is not null), []::varchar[]) as managers
from client_rows
