-- Schema 5: profit_revenue, the revenue of the lines whose profit is known, in client_day and client_month,
-- for the profit coverage of DOMAIN.md §1. Store._ensure_schema rebuilds both from the lines right after this.
alter table client_day add column if not exists profit_revenue double;
alter table client_month add column if not exists profit_revenue double;
