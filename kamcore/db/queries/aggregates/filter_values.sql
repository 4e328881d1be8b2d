select
    coalesce(list(distinct region order by region) filter (where region is not null), []::varchar[]) as regions,
    coalesce(list(distinct industry order by industry) filter (where industry is not null), []::varchar[]) as industries,
    coalesce(list(distinct manager order by manager) filter (where manager is not null), []::varchar[]) as managers
from clients_latest
