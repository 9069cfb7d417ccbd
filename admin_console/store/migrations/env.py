"""Alembic environment: the connection comes from ``admin_console.store.database.migrate``."""

from __future__ import annotations

from alembic import context

from admin_console.store.orm import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # `alembic` on the command line: use the URL from -x url=…
    from sqlalchemy import create_engine

    url = context.get_x_argument(as_dictionary=True).get("url", "sqlite:///aggregator.db")
    with create_engine(url).connect() as conn:
        context.configure(connection=conn, target_metadata=Base.metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
else:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
