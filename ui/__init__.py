"""The UI package: the only one that imports both streamlit and kamcore. Pages keep ``import ui`` and call
``view = ui.page(...)`` / ``with ui.guard(view):``; the names they use are re-exported here.

    base        the log, safe Markdown of data (:func:`md`), the session's language
    loaders     the connection and every cached loader with its key (path, data version, as-of, settings, filters)
    access      who may change data: sign-in form and signed-in line (rules in kamcore.access)
    sidebar     language, as-of, window, basis, method settings, filters: bound to the URL and validated
    page        View, page, guard, flash
    columns     column formats of screen tables
    widgets     client lists, captions, notes, metric rows, Excel buttons
    editing     the one save path and message, prospect conversion, the win-back editor
    upload      the Data page flow: validate, map, problems, commit, history, undo
    background  cached loaders started on threads while the page renders

A module here imports only those above it in this list (``tests/test_layers.py``).
"""
from __future__ import annotations

from kamcore import runtime

MEMORY_SETTINGS = runtime.configure_memory()   # every Streamlit run is a thread: see kamcore.runtime

# loaded with the server, not on a first page visit
from kamcore.accounts import abm, dossier, managers, winback  # noqa: E402,F401
from kamcore.analytics import risk  # noqa: E402,F401
from kamcore.presentation import i18n  # noqa: E402,F401

from ui.base import lang, log, md  # noqa: E402,F401
from ui.loaders import (  # noqa: E402,F401
    ROOT, _store, clear_caches, clients_risk, clients_risk_company, data_version, db_path, get_store, incidents,
    manager_table, risk_trend, target_lists, winback_candidates, window_history)
from ui.access import access, can_edit, user_name  # noqa: E402,F401
from ui.sidebar import WINDOWS, method_numbers, query_client, url_notice  # noqa: E402,F401
from ui.page import MENU, View, flash, guard, page  # noqa: E402,F401
from ui.columns import client_columns, migration_columns  # noqa: E402,F401
from ui.widgets import (  # noqa: E402,F401
    DOSSIER, bgnbd_note, caption, client_list, concentration_flags, coverage_pct, delta, excel_button,
    abm_workbook, frame_workbook, last_data_note, metric_row, profit_coverage_note, profit_off_reason, settings_caption,
    xyz_too_short)
from ui.editing import (  # noqa: E402,F401
    convert_prospect, save_edits, save_error_text, saved, saved_text, winback_editor)
from ui.upload import (  # noqa: E402,F401
    BATCH_COLUMNS, PROBLEM_HEADERS, batch_history, batch_label, batch_status, commit_upload, date_order_question,
    earlier_import_note, file_date_range, import_label, import_refusal, import_summary, mapping_editor,
    prepare_upload, problems_table, rollback_batches, undo_plan, undo_section, upload_blocking, upload_summary)
from ui.background import in_background  # noqa: E402,F401
