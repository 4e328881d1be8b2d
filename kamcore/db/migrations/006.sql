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

-- One spelling per stored vocabulary (DOMAIN.md §1): every value of a closed set is stored as its snake_case code
-- (kamcore.settings.CHOICES). Before schema 6 an edit or the demo wrote 'decision maker' and 'order intake'
-- where an import wrote 'decision_maker' and 'order_intake'. Each accepted spelling (settings.choice_code:
-- lower case, no diacritics, letters and digits only, a plural "s" allowed) becomes its code, in the tables and
-- their _archive twins; a value outside the set stays as it is. tests/test_store.py checks that this list reads
-- every value as settings.choice_code does.
create temporary table vocabulary_spelling (column_name varchar, spelling varchar, code varchar);
insert into vocabulary_spelling values
    ('buying_role', 'buyer', 'buyer'), ('buying_role', 'buyers', 'buyer'), ('buying_role', 'kupec', 'buyer'),
    ('buying_role', 'kupecs', 'buyer'), ('buying_role', 'nabavnik', 'buyer'), ('buying_role', 'nabavniks', 'buyer'),
    ('buying_role', 'decisionmaker', 'decision_maker'), ('buying_role', 'decisionmakers', 'decision_maker'),
    ('buying_role', 'odlocevalec', 'decision_maker'), ('buying_role', 'odlocevalecs', 'decision_maker'),
    ('buying_role', 'gatekeeper', 'gatekeeper'), ('buying_role', 'gatekeepers', 'gatekeeper'),
    ('buying_role', 'vratar', 'gatekeeper'), ('buying_role', 'vratars', 'gatekeeper'),
    ('buying_role', 'influencer', 'influencer'), ('buying_role', 'influencers', 'influencer'),
    ('buying_role', 'vplivnez', 'influencer'), ('buying_role', 'vplivnezs', 'influencer'),
    ('buying_role', 'uporabnik', 'user'), ('buying_role', 'uporabniks', 'user'), ('buying_role', 'user', 'user'),
    ('buying_role', 'users', 'user'),
    ('attitude', 'neutral', 'neutral'), ('attitude', 'neutrals', 'neutral'), ('attitude', 'nevtralen', 'neutral'),
    ('attitude', 'nevtralens', 'neutral'), ('attitude', 'nasprotnik', 'opponent'),
    ('attitude', 'nasprotniks', 'opponent'), ('attitude', 'opponent', 'opponent'),
    ('attitude', 'opponents', 'opponent'), ('attitude', 'podpornik', 'supporter'),
    ('attitude', 'podporniks', 'supporter'), ('attitude', 'supporter', 'supporter'),
    ('attitude', 'supporters', 'supporter'),
    ('stage', 'delivery', 'delivery'), ('stage', 'deliverys', 'delivery'), ('stage', 'dostava', 'delivery'),
    ('stage', 'dostavas', 'delivery'), ('stage', 'fakturiranje', 'invoicing'),
    ('stage', 'fakturiranjes', 'invoicing'), ('stage', 'invoicing', 'invoicing'),
    ('stage', 'invoicings', 'invoicing'), ('stage', 'racun', 'invoicing'), ('stage', 'racuns', 'invoicing'),
    ('stage', 'narocilo', 'order_intake'), ('stage', 'narocilos', 'order_intake'),
    ('stage', 'order', 'order_intake'), ('stage', 'orderintake', 'order_intake'),
    ('stage', 'orderintakes', 'order_intake'), ('stage', 'orders', 'order_intake'),
    ('stage', 'prevzemnarocila', 'order_intake'), ('stage', 'prevzemnarocilas', 'order_intake'),
    ('stage', 'kakovost', 'quality'), ('stage', 'kakovosts', 'quality'), ('stage', 'quality', 'quality'),
    ('stage', 'qualitys', 'quality'), ('stage', 'service', 'service'), ('stage', 'services', 'service'),
    ('stage', 'servis', 'service'), ('stage', 'serviss', 'service'), ('stage', 'skladisce', 'warehouse'),
    ('stage', 'skladisces', 'warehouse'), ('stage', 'warehouse', 'warehouse'), ('stage', 'warehouses', 'warehouse'),
    ('status', 'izgubljen', 'lost'), ('status', 'izgubljeno', 'lost'), ('status', 'izgubljenos', 'lost'),
    ('status', 'izgubljens', 'lost'), ('status', 'loss', 'lost'), ('status', 'losss', 'lost'),
    ('status', 'lost', 'lost'), ('status', 'losts', 'lost'), ('status', 'odprt', 'open'),
    ('status', 'odprto', 'open'), ('status', 'odprtos', 'open'), ('status', 'odprts', 'open'),
    ('status', 'open', 'open'), ('status', 'opens', 'open'), ('status', 'pending', 'open'),
    ('status', 'pendings', 'open'), ('status', 'vteku', 'open'), ('status', 'vtekus', 'open'),
    ('status', 'dobljen', 'won'), ('status', 'dobljeno', 'won'), ('status', 'dobljenos', 'won'),
    ('status', 'dobljens', 'won'), ('status', 'win', 'won'), ('status', 'wins', 'won'), ('status', 'won', 'won'),
    ('status', 'wons', 'won'), ('status', 'zmaga', 'won'), ('status', 'zmagas', 'won'),
    ('requirements', 'high', 'high'), ('requirements', 'highs', 'high'), ('requirements', 'visoke', 'high'),
    ('requirements', 'visokes', 'high'), ('requirements', 'zahteven', 'high'), ('requirements', 'zahtevens', 'high'),
    ('requirements', 'zahtevne', 'high'), ('requirements', 'zahtevnes', 'high'),
    ('requirements', 'normal', 'standard'), ('requirements', 'normals', 'standard'),
    ('requirements', 'obicajne', 'standard'), ('requirements', 'obicajnes', 'standard'),
    ('requirements', 'standard', 'standard'), ('requirements', 'standardne', 'standard'),
    ('requirements', 'standardnes', 'standard'), ('requirements', 'standards', 'standard');

update contacts set buying_role = s.code from vocabulary_spelling as s
where s.column_name = 'buying_role' and s.spelling = regexp_replace(lower(strip_accents(contacts.buying_role)), '[^a-z0-9]', '', 'g')
  and contacts.buying_role <> s.code;
update contacts_archive set buying_role = s.code from vocabulary_spelling as s
where s.column_name = 'buying_role' and s.spelling = regexp_replace(lower(strip_accents(contacts_archive.buying_role)), '[^a-z0-9]', '', 'g')
  and contacts_archive.buying_role <> s.code;
update contacts set attitude = s.code from vocabulary_spelling as s
where s.column_name = 'attitude' and s.spelling = regexp_replace(lower(strip_accents(contacts.attitude)), '[^a-z0-9]', '', 'g')
  and contacts.attitude <> s.code;
update contacts_archive set attitude = s.code from vocabulary_spelling as s
where s.column_name = 'attitude' and s.spelling = regexp_replace(lower(strip_accents(contacts_archive.attitude)), '[^a-z0-9]', '', 'g')
  and contacts_archive.attitude <> s.code;
update incidents set stage = s.code from vocabulary_spelling as s
where s.column_name = 'stage' and s.spelling = regexp_replace(lower(strip_accents(incidents.stage)), '[^a-z0-9]', '', 'g')
  and incidents.stage <> s.code;
update incidents_archive set stage = s.code from vocabulary_spelling as s
where s.column_name = 'stage' and s.spelling = regexp_replace(lower(strip_accents(incidents_archive.stage)), '[^a-z0-9]', '', 'g')
  and incidents_archive.stage <> s.code;
update tenders set status = s.code from vocabulary_spelling as s
where s.column_name = 'status' and s.spelling = regexp_replace(lower(strip_accents(tenders.status)), '[^a-z0-9]', '', 'g')
  and tenders.status <> s.code;
update tenders_archive set status = s.code from vocabulary_spelling as s
where s.column_name = 'status' and s.spelling = regexp_replace(lower(strip_accents(tenders_archive.status)), '[^a-z0-9]', '', 'g')
  and tenders_archive.status <> s.code;
update clients set requirements = s.code from vocabulary_spelling as s
where s.column_name = 'requirements' and s.spelling = regexp_replace(lower(strip_accents(clients.requirements)), '[^a-z0-9]', '', 'g')
  and clients.requirements <> s.code;
update clients_archive set requirements = s.code from vocabulary_spelling as s
where s.column_name = 'requirements' and s.spelling = regexp_replace(lower(strip_accents(clients_archive.requirements)), '[^a-z0-9]', '', 'g')
  and clients_archive.requirements <> s.code;

drop table vocabulary_spelling;
