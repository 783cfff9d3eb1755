"""The store: DuckDB schema and migrations, ingest and validation, scoped queries.

Nothing here imports streamlit, the app or the analytics package.
"""
