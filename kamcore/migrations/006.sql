-- Schema 6: the clients_latest view and the client_in_filter macro replace the "latest client row" CTE and
-- the filter block the analysis queries each carried (schema.sql defines both; repeated here so that the
-- migration reads whole).
create or replace view clients_latest as
select *
from clients
qualify row_number() over (partition by client_id order by batch_id desc nulls last) = 1;

create or replace macro client_in_filter(region, industry, manager, regions, industries, managers) as
    (len(regions) = 0 or list_contains(regions, region))
    and (len(industries) = 0 or list_contains(industries, industry))
    and (len(managers) = 0 or list_contains(managers, manager));
