"""Imports of the seven data tables (DOMAIN.md §1, §2): read a file, map its columns to the contract,
parse the values, prepare the rows, commit them as one batch, list and undo batches.

``readers`` (bytes → a raw table), ``contract`` (the tables, columns and header synonyms), ``parse``
(typed values and their problems), ``core`` (prepare, identity, commit, batches and undo; to be split),
``templates`` (downloadable empty files). The public API is re-exported here, so that
``from kamcore import ingest; ingest.commit(...)`` is the way callers use it.
"""
from kamcore.ingest.core import (DATED, NATURAL_KEY, TABLES, ImportResult, Prepared, RollbackPlan,  # noqa: F401
                                 commit, earlier_imports, import_file, list_batches, load_mapping, prepare,
                                 problems_csv, rollback, rollback_chain, rollback_plan, save_mapping, template)
from kamcore.ingest.readers import ImportRejected, Limits  # noqa: F401
