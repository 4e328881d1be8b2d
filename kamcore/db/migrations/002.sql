-- Schema 2: client_key and client_month (the client x month aggregate of client_day).
-- Store._ensure_schema fills both from client_day right after this file.
create table if not exists client_key (
    client_id varchar not null,
    client_no integer not null
);

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
    dated_lines integer not null     -- both dates known
);
