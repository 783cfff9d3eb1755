"""Pure computation: no streamlit, no duckdb, no file or network I/O."""
