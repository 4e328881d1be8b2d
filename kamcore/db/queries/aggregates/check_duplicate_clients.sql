-- Client ids stored more than once in clients (an update by key replaces the stored row; two rows for one
-- client come from another tool or an undo in the wrong order, issue 14): client_id, rows, batches.
select client_id, count(*) as rows, string_agg(coalesce(cast(batch_id as varchar), '-'), ', ' order by batch_id) as batches
from clients
group by client_id
having count(*) > 1
order by client_id
