"""The DuckDB store: schema, migrations, named queries by layer (``queries/<layer>/<name>.sql``), integrity checks."""
