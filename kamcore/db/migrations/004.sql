-- Schema 4: the unknown columns an import keeps live in one JSON column `extra` per data table and its
-- archive (imports no longer add `extra_<header>` columns). Store._ensure_schema then folds any
-- `extra_*` columns of an older database into `extra` and drops them (their names come from the schema).
alter table clients add column if not exists extra json;
alter table transactions add column if not exists extra json;
alter table incidents add column if not exists extra json;
alter table contacts add column if not exists extra json;
alter table tenders add column if not exists extra json;
alter table competitors add column if not exists extra json;
alter table prospects add column if not exists extra json;
alter table clients_archive add column if not exists extra json;
alter table transactions_archive add column if not exists extra json;
alter table incidents_archive add column if not exists extra json;
alter table contacts_archive add column if not exists extra json;
alter table tenders_archive add column if not exists extra json;
alter table competitors_archive add column if not exists extra json;
alter table prospects_archive add column if not exists extra json;
