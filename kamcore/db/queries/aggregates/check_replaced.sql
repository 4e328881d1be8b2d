-- Rows a replace import should have removed (DOMAIN.md §1, issue 14): rows of a dated table written by an
-- older batch (transactions: or by none) and dated within the [replace_from, replace_to] of an active
-- replace batch of that table. A replace archives every row of its range, and an older batch cannot be
-- undone while the replace is active, so such rows come from another tool or an undo in the wrong order.
-- One row per (table, replace batch, batch of the rows): table_name, replace_batch, row_batch, rows,
-- first_date, last_date.
with r as (
    select batch_id, table_name, replace_from, replace_to
    from import_batches
    where mode = 'replace' and rolled_back_at is null and replace_from is not null and replace_to is not null
)
select 'transactions' as table_name, r.batch_id as replace_batch, t.batch_id as row_batch, count(*) as rows,
       min(t.date) as first_date, max(t.date) as last_date
from transactions as t
join r on r.table_name = 'transactions' and t.date between r.replace_from and r.replace_to
where coalesce(t.batch_id, 0) < r.batch_id
group by all
union all
select 'incidents', r.batch_id, t.batch_id, count(*), min(t.date), max(t.date)
from incidents as t
join r on r.table_name = 'incidents' and t.date between r.replace_from and r.replace_to
where t.batch_id < r.batch_id
group by all
union all
select 'tenders', r.batch_id, t.batch_id, count(*), min(t.date), max(t.date)
from tenders as t
join r on r.table_name = 'tenders' and t.date between r.replace_from and r.replace_to
where t.batch_id < r.batch_id
group by all
order by table_name, replace_batch, row_batch nulls first
