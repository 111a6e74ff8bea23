from alembic import context

from store.models import Base
from store.search import include_in_autogenerate, restore_sqlite_triggers

engine = context.config.attributes["engine"]
with engine.connect() as connection:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # SQLite alters a table by copying it and dropping the old one; with foreign keys on, dropping a table that
        # other rows point at fails (drafts ← draft_events). Off for the migration only (outside a transaction, or
        # SQLite ignores it), checked after.
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        # Python's sqlite3 opens a transaction only before INSERT/UPDATE/DELETE: DDL would commit statement by
        # statement, and a migration failing half-way left half a schema. One explicit transaction for all of it.
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=sqlite,  # SQLite alters tables by copy
        compare_type=True,
        include_name=include_in_autogenerate,  # the search table is the migration's, not a model's
    )
    with context.begin_transaction():
        context.run_migrations()
        if sqlite:
            restore_sqlite_triggers(connection)
    connection.commit()
    if sqlite:
        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        connection.exec_driver_sql("PRAGMA foreign_keys=ON")
        if broken:
            raise RuntimeError(f"migration left rows pointing nowhere (table, rowid, parent, key): {broken[:5]}")
