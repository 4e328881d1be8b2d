-- KAM store, schema version 6. Table and column names follow DOMAIN.md §1.
-- Every data table carries batch_id: the import batch that wrote the row, and extra: the unknown
-- columns of the file kept as one JSON object {header: text} (an import never changes the schema).

create table if not exists meta (
    key varchar primary key,
    value varchar
);

create table if not exists import_batches (
    batch_id integer primary key,
    table_name varchar not null,
    file_name varchar,
    checksum varchar,
    mode varchar,                 -- append | replace
    replace_from date,
    replace_to date,
    rows_read integer,
    rows_added integer,
    rows_skipped integer,         -- already present (idempotent re-import)
    rows_rejected integer,
    rows_replaced integer,
    rejected json,                -- list of {row, column, value, problem}
    created_by varchar,
    created_at timestamp,
    rolled_back_at timestamp,
    rolled_back_by varchar
);

create sequence if not exists batch_seq start 1;

create table if not exists clients (
    client_id varchar not null,
    name varchar not null,
    industry varchar,
    region varchar,
    country varchar,
    manager varchar,
    employees integer,
    founded integer,
    description varchar,
    org_structure varchar,
    website varchar,
    potential double,
    image_maker boolean,
    requirements varchar,
    first_contract date,
    key boolean,
    extra json,
    batch_id integer
);

create table if not exists transactions (
    row_key varchar,              -- content hash + occurrence where there is no txn_id: identity = coalesce(row_key, txn_id) (DOMAIN.md §1)
    txn_id varchar,
    client_id varchar not null,
    date date not null,
    revenue double not null,
    order_id varchar,
    product varchar,
    category varchar,
    quantity double,
    cost double,
    profit double,
    promised_date date,
    delivered_date date,
    extra json,
    batch_id integer
);

-- Client x day aggregate, rebuilt for the touched clients by every write.
-- profit is the sum of known line profits; profit_lines counts lines whose
-- profit is known (profit given, or revenue - cost).
create table if not exists client_day (
    client_id varchar not null,
    day date not null,
    revenue double not null,
    profit double,
    quantity double,
    lines integer not null,
    profit_lines integer not null,
    ontime_lines integer not null,   -- delivered <= promised
    dated_lines integer not null,    -- both dates known
    purchase boolean not null,       -- net revenue > 0 that day
    gap_days integer,                -- days since the previous purchase day
    profit_revenue double            -- revenue of the lines whose profit is known (profit coverage, DOMAIN.md §1)
);

-- A stable integer number per client_id of client_day: assigned once, never reused or
-- renumbered, so the analysis queries can return integer keys instead of text.
create table if not exists client_key (
    client_id varchar not null,
    client_no integer not null
);

-- Client x month aggregate of client_day (month = its first day), rebuilt with it for the
-- same clients. Window sums take whole months from here and only a partial last month
-- from client_day. purchase_days counts purchase days; first_day is the first day with a line;
-- ontime_lines / dated_lines feed the company's monthly on-time rate.
create table if not exists client_month (
    client_no integer not null,
    client_id varchar not null,
    month date not null,
    revenue double not null,
    profit double,
    lines integer not null,
    profit_lines integer not null,
    purchase_days integer not null,
    first_day date not null,
    first_purchase date,
    last_purchase date,
    ontime_lines integer not null,   -- delivered <= promised
    dated_lines integer not null,    -- both dates known
    profit_revenue double            -- revenue of the lines whose profit is known
);

create table if not exists incidents (
    incident_id varchar,
    client_id varchar not null,
    date date not null,
    category varchar not null,
    severity integer,
    stage varchar,
    description varchar,
    resolved_date date,
    extra json,
    batch_id integer
);

create table if not exists contacts (
    contact_id varchar,
    client_id varchar not null,
    name varchar not null,
    role varchar not null,
    title varchar,
    buying_role varchar,
    influence integer,
    attitude varchar,
    reports_to varchar,
    last_contact date,
    email varchar,
    phone varchar,
    extra json,
    batch_id integer,
    updated_by varchar,
    updated_at timestamp
);

create table if not exists tenders (
    tender_id varchar,
    client_id varchar not null,
    date date not null,
    status varchar not null,
    title varchar,
    value double,
    reasons varchar,
    winner varchar,
    extra json,
    batch_id integer,
    updated_by varchar,
    updated_at timestamp
);

create table if not exists competitors (
    client_id varchar not null,
    competitor varchar not null,
    share_of_wallet double,
    strengths varchar,
    weaknesses varchar,
    notes varchar,
    extra json,
    batch_id integer,
    updated_by varchar,
    updated_at timestamp
);

create table if not exists prospects (
    prospect_id varchar,
    name varchar not null,
    industry varchar,
    region varchar,
    source varchar,
    need integer,
    solvency integer,
    authority integer,
    potential double,
    owner varchar,
    notes varchar,
    converted_client_id varchar,
    extra json,
    batch_id integer,
    updated_by varchar,
    updated_at timestamp
);

-- Team state: kept across imports and restarts, never touched by a rollback.
create table if not exists winback (
    client_id varchar primary key,
    status varchar not null,      -- open | contacted | won_back | given_up
    note varchar,
    updated_by varchar,
    updated_at timestamp
);

create table if not exists notes (
    note_id integer,
    client_id varchar not null,
    note varchar not null,
    created_by varchar,
    created_at timestamp
);

create table if not exists header_mappings (
    headers_key varchar primary key,  -- table name + sorted normalised headers
    mapping json not null,
    updated_at timestamp
);

-- Rows removed by a "replace" import or replaced by a newer version of the same
-- key: kept so that rolling back that batch (replaced_by) restores them.
create table if not exists transactions_archive as select *, 0::integer as replaced_by from transactions where false;
create table if not exists clients_archive as select *, 0::integer as replaced_by from clients where false;
create table if not exists incidents_archive as select *, 0::integer as replaced_by from incidents where false;
create table if not exists contacts_archive as select *, 0::integer as replaced_by from contacts where false;
create table if not exists tenders_archive as select *, 0::integer as replaced_by from tenders where false;
create table if not exists competitors_archive as select *, 0::integer as replaced_by from competitors where false;
create table if not exists prospects_archive as select *, 0::integer as replaced_by from prospects where false;

-- The latest stored row of each client (DOMAIN.md §1): the row of the newest batch, rows without a batch last.
-- An update by key replaces the stored row; databases from before that may hold several rows per client_id.
-- Every query that reads client attributes reads them from here.
create or replace view clients_latest as
select *
from clients
qualify row_number() over (partition by client_id order by batch_id desc nulls last) = 1;

-- The sidebar filter of the analysis (DOMAIN.md §2): an empty list lets every client through, otherwise
-- the client's region / industry / manager must be in it (an unknown value never matches a non-empty list).
-- Called with the bound lists: client_in_filter(c.region, c.industry, c.manager, $regions::varchar[], ...).
create or replace macro client_in_filter(region, industry, manager, regions, industries, managers) as
    (len(regions) = 0 or list_contains(regions, region))
    and (len(industries) = 0 or list_contains(industries, industry))
    and (len(managers) = 0 or list_contains(managers, manager));
