-- Earlier imports of the same file (same sha256 checksum) into the same table that are still in effect
-- (not rolled back), newest first.
select
    b.batch_id,
    b.file_name,
    b.created_at,
    b.rows_added
from import_batches as b
where b.table_name = $table
  and b.checksum = $checksum
  and b.rolled_back_at is null
order by b.batch_id desc
