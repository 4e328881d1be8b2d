"""Imports of the seven data tables (DOMAIN.md §1, §2): read a file, map its columns to the contract,
parse the values, prepare the rows, commit them as one batch, list and undo batches.

``readers`` (bytes → a raw table), ``contract`` (the tables, columns and header synonyms), ``parse``
(typed values and their problems), ``identity`` (a row's identity, hashes, repeats inside a file),
``prepare`` (read, map, check; no writes), ``commit`` (one batch, all or nothing), ``batches`` (the list,
earlier imports, undo and its plan), ``mappings`` (remembered header mappings), ``templates``
(downloadable empty files). The public API is re-exported here, so that
``from kamcore import ingest; ingest.commit(...)`` is the way callers use it.
"""
from kamcore.ingest.batches import (RollbackPlan, earlier_imports, list_batches, rollback,  # noqa: F401
                                    rollback_chain, rollback_plan)
from kamcore.ingest.commit import DATED, TABLES, ImportResult, commit, import_file  # noqa: F401
from kamcore.ingest.identity import NATURAL_KEY  # noqa: F401
from kamcore.ingest.mappings import load_mapping, save_mapping  # noqa: F401
from kamcore.ingest.prepare import Prepared, prepare, problems_csv  # noqa: F401
from kamcore.ingest.readers import ImportRejected, Limits  # noqa: F401
from kamcore.ingest.templates import template  # noqa: F401
