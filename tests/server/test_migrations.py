"""The generic DuckDB migration runner (harness.store.migrations)."""

import duckdb
import pytest

from harness.store.migrations import MigrationError, applied_migrations, migrate, pending_migrations


def m001_things(connection):
    connection.execute("CREATE TABLE things (id INTEGER)")


def m002_more(connection):
    connection.execute("ALTER TABLE things ADD COLUMN name VARCHAR")


def m003_broken(connection):
    connection.execute("CREATE TABLE half (id INTEGER)")
    connection.execute("SELECT * FROM no_such_table")


@pytest.fixture
def connection():
    with duckdb.connect() as opened:
        yield opened


def test_migrations_apply_once_in_order_and_are_recorded(connection):
    assert migrate(connection, [m001_things]) == ["m001_things"]
    assert migrate(connection, [m001_things, m002_more]) == ["m002_more"]
    assert migrate(connection, [m001_things, m002_more]) == []
    assert applied_migrations(connection) == ["m001_things", "m002_more"]
    assert connection.execute("SELECT count(*) FROM migrations WHERE applied_at IS NOT NULL").fetchone() == (2,)
    assert [c[0] for c in connection.execute("DESCRIBE things").fetchall()] == ["id", "name"]


def test_a_failing_migration_leaves_the_file_as_it_was(connection):
    migrate(connection, [m001_things])
    with pytest.raises(duckdb.CatalogException):
        migrate(connection, [m001_things, m002_more, m003_broken])
    assert applied_migrations(connection) == ["m001_things"]
    assert [c[0] for c in connection.execute("DESCRIBE things").fetchall()] == ["id"]
    tables = {row[0] for row in connection.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    assert "half" not in tables


def test_a_file_from_a_newer_version_is_refused(connection):
    migrate(connection, [m001_things, m002_more])
    with pytest.raises(MigrationError, match=r"migrations this version does not know \(m002_more\)"):
        pending_migrations(connection, [m001_things])


def test_migration_lists_must_be_in_name_order_without_repeats(connection):
    with pytest.raises(MigrationError, match="name order"):
        migrate(connection, [m002_more, m001_things])
    with pytest.raises(MigrationError, match="repeat"):
        migrate(connection, [m001_things, m001_things])


def test_a_new_file_has_everything_pending(connection):
    assert pending_migrations(connection, [m001_things, m002_more]) == ["m001_things", "m002_more"]
