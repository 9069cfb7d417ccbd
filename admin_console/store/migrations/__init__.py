"""Alembic migrations of the aggregator's database (run by ``open_database``)."""
