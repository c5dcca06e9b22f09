"""A small migration runner for DuckDB files: named functions, applied once, in order.

A store declares its schema as an append-only list of functions named `m001_...`, `m002_...`,
each taking a DuckDB connection and running its DDL. `migrate` records every applied name in a
`migrations` table (name, applied_at) and applies the missing ones in list order inside ONE
transaction, so a failure leaves the file as it was. Never edit or reorder a released
migration: add a new one. Any store (conversations, results) reuses this module as is::

    def m001_runs(connection):
        connection.execute("CREATE TABLE runs (id VARCHAR PRIMARY KEY, started_at TIMESTAMPTZ)")

    MIGRATIONS = (m001_runs,)
    migrate(connection, MIGRATIONS)

Read-only openers cannot migrate; they call `pending_migrations` and refuse a stale file.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from harness.store.transactions import transaction

if TYPE_CHECKING:
    import duckdb

Migration = Callable[["duckdb.DuckDBPyConnection"], None]

_CREATE_TABLE = """
CREATE TABLE IF NOT EXISTS migrations (
    name VARCHAR PRIMARY KEY,
    applied_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
)
"""


class MigrationError(Exception):
    """The file's schema does not fit this code (written by a newer version, or not migrated)."""


def applied_migrations(connection: duckdb.DuckDBPyConnection) -> list[str]:
    """Names recorded in the file, oldest first; empty for a file that has never been migrated."""
    exists = connection.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'migrations'"
    ).fetchone()[0]
    if not exists:
        return []
    return [row[0] for row in connection.execute("SELECT name FROM migrations ORDER BY applied_at, name").fetchall()]


def pending_migrations(connection: duckdb.DuckDBPyConnection, migrations: Sequence[Migration]) -> list[str]:
    """Names in `migrations` the file has not applied yet; raises if the file knows names the code does not."""
    _check_names(migrations)
    applied = applied_migrations(connection)
    known = [migration.__name__ for migration in migrations]
    unknown = [name for name in applied if name not in known]
    if unknown:
        # A newer harness wrote this file; running old code on it could misread its tables.
        raise MigrationError(
            f"the file has migrations this version does not know ({', '.join(unknown)}); upgrade the harness"
        )
    return [name for name in known if name not in applied]


def migrate(connection: duckdb.DuckDBPyConnection, migrations: Sequence[Migration]) -> list[str]:
    """Apply the missing `migrations` in order, all in one transaction; return the names applied."""
    pending = set(pending_migrations(connection, migrations))
    if not pending:
        return []
    applied = []
    with transaction(connection):
        connection.execute(_CREATE_TABLE)
        for migration in migrations:
            if migration.__name__ in pending:
                migration(connection)
                connection.execute("INSERT INTO migrations (name) VALUES (?)", [migration.__name__])
                applied.append(migration.__name__)
    return applied


def _check_names(migrations: Sequence[Migration]) -> None:
    names = [migration.__name__ for migration in migrations]
    if len(set(names)) != len(names):
        raise MigrationError(f"migration names repeat: {names}")
    if names != sorted(names):
        # The numeric prefix is the order; a list out of order is a mistake in the code.
        raise MigrationError(f"migrations must be listed in name order (m001_..., m002_...): {names}")
