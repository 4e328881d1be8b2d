select
    b.batch_id,
    b.table_name,
    b.file_name,
    b.mode,
    b.replace_from,
    b.replace_to,
    b.rows_read,
    b.rows_added,
    b.rows_skipped,
    b.rows_rejected,
    b.rows_replaced,
    b.created_by,
    b.created_at,
    b.rolled_back_at,
    b.rolled_back_by,
    b.rolled_back_at is not null as rolled_back,
    b.checksum
from import_batches as b
order by b.batch_id desc
