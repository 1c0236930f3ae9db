"""Contact engines over the contract files (Django-free): reference, DuckDB, Spark."""
