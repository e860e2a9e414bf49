"""Alembic environment: runs on the connection that `Database.migrate` hands over."""

from alembic import context
from sqlalchemy import create_engine

from bot.storage.models import Base

config = context.config
connection = config.attributes.get("connection")

if connection is None:
    url = config.attributes.get("connection_url") or config.get_main_option("sqlalchemy.url")
    engine = create_engine(str(url))
    with engine.begin() as conn:
        context.configure(connection=conn, target_metadata=Base.metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
else:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
