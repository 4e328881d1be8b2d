"""kamcore: the pure core of the key-account dashboard (no streamlit). Packages by concept, each layer
importing only from the layers below it (``tests/test_layers.py`` checks this)::

    cli/ demo/        the command line (``python -m kamcore``) and the demo database
    presentation/     words and pictures: i18n (the one translation table), charts, export, report, format
    access/           who may do what: sign-in, the analyst password (users, roles, scope, audit: issue 18)
    accounts/         account work: dossier, edits, prospects, managers, abm, winback
    analytics/        pure steps: analysis (the composition), segments, concentration, types, risk, bgnbd, window
    ingest/           imports: readers, contract, parse, core (prepare, commit, batches, undo), templates
    db/               the DuckDB store, schema.sql, migrations/, queries/<layer>/*.sql, check
    config, settings  the environment (read in one place); every threshold and closed label set
    runtime           process set-up (allocator) for the long-lived entry points
    safetext          text as data in CSV and Excel cells (the one formula-injection guard)

``ui/`` (the only package importing both streamlit and kamcore) and ``app.py``/``pages/`` sit above all.
"""
