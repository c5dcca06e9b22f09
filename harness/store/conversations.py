"""The conversation store behind the reference endpoint (DESIGN.md §5): one DuckDB file.

Tables: `conversations` (one row per call record, messages as JSON), `tokens` (API tokens,
secrets stored only as SHA-256) and `memberships` (which organisations a user belongs to).
Loading is all or nothing: every record is validated first, every bad one is reported by file
and line, and the rows go in with one transaction. The server opens the file read-only.

Lookup: `newest_conversations` holds, per caller line (number and organisation), the id of its
newest conversation, kept up to date by every load in the same transaction; a request is one
join answered by two primary-key index scans. Why not `ORDER BY created_at DESC LIMIT 1` over
`conversations`: DuckDB's ART index serves a single-column equality only (a composite key, or
a filter on org and number, falls back to a full scan: measured), and fetching every call of a
number, scattered over the row groups, costs twice as much at 1,000,000 rows as at 10,000;
unique-key lookups stay flat (tests/benchmarks/bench_endpoint.py). `lookup_key` is
`user_id || ' ' || org_id`, unambiguous because an E.164 number has no space.

The server goes one step further: it reads `newest_conversations` into a dict once
(`newest_conversation_ids`) and asks DuckDB only for the row by id (`conversation`). Between rule
briefs, which evict DuckDB's code and data from the CPU caches, the join costs ~2.2 ms of CPU and
the by-id query ~1.5 ms (measured); the dict costs ~170 bytes a caller line (~33 MiB for 200,000).
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
from pydantic import ValidationError

from harness.conversations import ConversationRecord
from harness.fixtures.load import load_corpus
from harness.fixtures.problems import Problem, problems_from_validation_error
from harness.store.migrations import MigrationError, migrate, pending_migrations
from harness.store.transactions import transaction

DEFAULT_STORE_PATH = Path("reports/conversations.duckdb")
JSONL_SUFFIXES = (".jsonl", ".ndjson")


class StoreError(Exception):
    """The store file cannot be used; the message names the file and what to do, in one line."""


def m001_conversations(connection: duckdb.DuckDBPyConnection) -> None:
    connection.execute(
        """
        CREATE TABLE conversations (
            id VARCHAR PRIMARY KEY,
            org_id VARCHAR NOT NULL,
            user_id VARCHAR NOT NULL,          -- the caller's number, E.164
            created_at TIMESTAMPTZ NOT NULL,
            duration_seconds INTEGER,
            messages JSON NOT NULL             -- [{"role": ..., "content": ...}, ...]
        )
        """
    )
    connection.execute(
        """
        CREATE TABLE newest_conversations (    -- derived from conversations by every load
            lookup_key VARCHAR PRIMARY KEY,    -- user_id || ' ' || org_id
            org_id VARCHAR NOT NULL,
            user_id VARCHAR NOT NULL,
            conversation_id VARCHAR NOT NULL,
            created_at TIMESTAMPTZ NOT NULL
        )
        """
    )


def m002_tokens(connection: duckdb.DuckDBPyConnection) -> None:
    connection.execute(
        """
        CREATE TABLE tokens (
            id VARCHAR PRIMARY KEY,            -- public part of the token, used to find the row
            kind VARCHAR NOT NULL CHECK (kind IN ('pat', 'ak')),
            secret_sha256 VARCHAR NOT NULL,    -- hex SHA-256 of the whole token; the token itself is never kept
            scopes VARCHAR[] NOT NULL,
            org_id VARCHAR,                    -- ak: the organisation the key carries
            user_id VARCHAR,                   -- pat: the user whose memberships apply
            created_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
            CHECK ((kind = 'ak' AND org_id IS NOT NULL AND user_id IS NULL)
                OR (kind = 'pat' AND user_id IS NOT NULL AND org_id IS NULL))
        )
        """
    )
    connection.execute(
        "CREATE TABLE memberships (user_id VARCHAR NOT NULL, org_id VARCHAR NOT NULL, PRIMARY KEY (user_id, org_id))"
    )


MIGRATIONS = (m001_conversations, m002_tokens)

_COLUMNS = "id, org_id, user_id, created_at, duration_seconds, messages"
_TOKEN_COLUMNS = "id, kind, secret_sha256, scopes, org_id, user_id"
_BY_ID = f"SELECT {_COLUMNS} FROM conversations WHERE id = ?"
# Both sides are answered by their primary-key index (DuckDB pushes the join key into the scan).
_NEWEST = """
SELECT c.id, c.org_id, c.user_id, c.created_at, c.duration_seconds, c.messages
FROM newest_conversations n JOIN conversations c ON c.id = n.conversation_id
WHERE n.lookup_key = ?
"""
# Ties on created_at go to the larger id, so the answer never depends on insertion order.
_REFRESH_NEWEST = """
INSERT OR REPLACE INTO newest_conversations
SELECT user_id || ' ' || org_id, org_id, user_id, arg_max(id, (created_at, id)), max(created_at)
FROM (
    SELECT org_id, user_id, id, created_at FROM staged
    UNION ALL
    SELECT n.org_id, n.user_id, n.conversation_id, n.created_at
    FROM newest_conversations n SEMI JOIN staged s ON n.org_id = s.org_id AND n.user_id = s.user_id
)
GROUP BY org_id, user_id
"""
_READ_STAGED_JSON = """
SELECT id, org_id, user_id, created_at::TIMESTAMPTZ AS created_at, duration_seconds, messages
FROM read_json($path, format = 'newline_delimited', columns = {
    id: 'VARCHAR', org_id: 'VARCHAR', user_id: 'VARCHAR', created_at: 'VARCHAR',
    duration_seconds: 'INTEGER', messages: 'JSON'})
"""


@dataclass(frozen=True)
class TokenRecord:
    """A stored token: what it may do and for whom. Never holds the secret."""

    id: str
    kind: str  # "pat" (a user's token) or "ak" (an organisation's API key)
    secret_sha256: str
    scopes: tuple[str, ...]
    org_id: str | None = None
    user_id: str | None = None


@dataclass(frozen=True)
class LocatedRecord:
    """A valid record and where it came from ("calls.jsonl:12" or a fixture file)."""

    where: str
    record: ConversationRecord


class ConversationStore:
    def __init__(self, connection: duckdb.DuckDBPyConnection, path: Path) -> None:
        self._connection = connection
        self.path = path

    @classmethod
    def open(cls, path: Path = DEFAULT_STORE_PATH, *, read_only: bool = False) -> ConversationStore:
        """Open (and, when writable, create or migrate) the store; `StoreError` says what is wrong."""
        path = Path(path)
        if read_only and not path.is_file():
            raise StoreError(f"{path}: no conversation store here; create it with `harness store load`")
        if not read_only:
            path.parent.mkdir(parents=True, exist_ok=True)
        try:
            connection = duckdb.connect(str(path), read_only=read_only)
        except duckdb.Error as exc:
            raise StoreError(_open_failure(path, exc)) from None
        try:
            connection.execute("SET TimeZone = 'UTC'")
            if read_only:
                # Serving runs point lookups only: one thread spares waking DuckDB's pool for each
                # and leaves the cores to request handling (measured ~0.1 ms a lookup faster).
                connection.execute("SET threads = 1")
                pending = pending_migrations(connection, MIGRATIONS)
                if pending:
                    raise StoreError(
                        f"{path}: not an up-to-date conversation store (missing {', '.join(pending)}); "
                        "run `harness store load` on it to upgrade"
                    )
            else:
                migrate(connection, MIGRATIONS)
        except (MigrationError, duckdb.Error) as exc:
            connection.close()
            raise StoreError(f"{path}: not a conversation store: {_first_line(exc)}") from None
        except StoreError:
            connection.close()
            raise
        return cls(connection, path)

    def close(self) -> None:
        self._connection.close()

    def __enter__(self) -> ConversationStore:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # -- conversations -------------------------------------------------------------------------

    def newest_conversation(self, org_id: str, e164: str) -> ConversationRecord | None:
        """The organisation's most recent conversation with this number (E.164), or None."""
        return _record(self._connection.execute(_NEWEST, [lookup_key(org_id, e164)]).fetchone())

    def newest_conversation_ids(self) -> dict[str, str]:
        """`lookup_key(org, number)` -> the id of that line's newest conversation, for every line."""
        return dict(self._connection.execute("SELECT lookup_key, conversation_id FROM newest_conversations").fetchall())

    def conversation(self, conversation_id: str) -> ConversationRecord | None:
        return _record(self._connection.execute(_BY_ID, [conversation_id]).fetchone())

    def count_conversations(self) -> int:
        return self._connection.execute("SELECT count(*) FROM conversations").fetchone()[0]

    def load(self, located: Sequence[LocatedRecord]) -> list[Problem]:
        """Insert every record, or none: ids already in the store come back as problems."""
        if not located:
            return []
        with tempfile.TemporaryDirectory(prefix="harness-load-") as scratch:
            staged = Path(scratch) / "records.jsonl"
            # A JSON file read by DuckDB is far faster than executemany for large exports.
            _write_rows(staged, (item.record for item in located))
            existing = self._insert(_READ_STAGED_JSON, {"path": str(staged)}, refuse_existing=True)
        return [
            Problem(item.where, "$.id", f"conversation id {item.record.id!r} is already in the store")
            for item in located
            if item.record.id in existing
        ]

    def insert_rows(self, select_sql: str, parameters: dict | None = None) -> int:
        """Insert the rows a SELECT yields (the columns of `conversations`, in order), trusted as valid.

        For rows checked elsewhere or generated in SQL (the endpoint benchmark); `load` is the way
        in for anything a person wrote. A repeated id raises `duckdb.ConstraintException`."""
        self._insert(select_sql, parameters, refuse_existing=False)
        return self._connection.execute("SELECT count(*) FROM conversations").fetchone()[0]

    def _insert(self, select_sql: str, parameters: dict | None, *, refuse_existing: bool) -> set[str]:
        """Stage the rows, then (unless an id exists already) insert them and refresh the newest
        conversation of every line they touch, all in one transaction. Returns the existing ids."""
        self._connection.execute("BEGIN TRANSACTION")
        try:
            self._connection.execute(
                f"CREATE OR REPLACE TEMP TABLE staged AS SELECT * FROM ({select_sql}) AS rows({_COLUMNS})",
                parameters or {},
            )
            existing: set[str] = set()
            if refuse_existing:
                existing = {
                    row[0]
                    for row in self._connection.execute(
                        "SELECT s.id FROM staged s JOIN conversations c ON c.id = s.id"
                    ).fetchall()
                }
            if not existing:
                self._connection.execute(f"INSERT INTO conversations SELECT {_COLUMNS} FROM staged")
                self._connection.execute(_REFRESH_NEWEST)
            self._connection.execute("DROP TABLE staged")
        except BaseException:
            self._connection.execute("ROLLBACK")
            raise
        self._connection.execute("ROLLBACK" if existing else "COMMIT")
        return existing

    # -- tokens --------------------------------------------------------------------------------

    def add_token(self, token: TokenRecord, memberships: Iterable[str] = ()) -> None:
        """Record a token and, for a user token, the organisations its user belongs to."""
        with transaction(self._connection):
            self._connection.execute(
                "INSERT INTO tokens (id, kind, secret_sha256, scopes, org_id, user_id) VALUES (?, ?, ?, ?, ?, ?)",
                [token.id, token.kind, token.secret_sha256, list(token.scopes), token.org_id, token.user_id],
            )
            for org_id in memberships:
                self._connection.execute(
                    "INSERT INTO memberships VALUES (?, ?) ON CONFLICT DO NOTHING", [token.user_id, org_id]
                )

    def token(self, token_id: str) -> TokenRecord | None:
        row = self._connection.execute(f"SELECT {_TOKEN_COLUMNS} FROM tokens WHERE id = ?", [token_id]).fetchone()
        return None if row is None else _token_record(row)

    def all_tokens(self) -> list[TokenRecord]:
        rows = self._connection.execute(f"SELECT {_TOKEN_COLUMNS} FROM tokens").fetchall()
        return [_token_record(row) for row in rows]

    def all_memberships(self) -> list[tuple[str, str]]:
        """(user_id, org_id) pairs."""
        return self._connection.execute("SELECT user_id, org_id FROM memberships").fetchall()

    def is_member(self, user_id: str, org_id: str) -> bool:
        return (
            self._connection.execute(
                "SELECT 1 FROM memberships WHERE user_id = ? AND org_id = ?", [user_id, org_id]
            ).fetchone()
            is not None
        )


def read_sources(paths: Sequence[Path]) -> tuple[list[LocatedRecord], list[Problem]]:
    """Conversation records from fixture files or directories and JSON-lines files.

    `.jsonl`/`.ndjson` files hold one conversation record per line; anything else is read as
    fixtures (a directory of them or single files), validated exactly as `harness fixtures validate`
    does. A conversation id given twice is a problem at its second place.
    """
    located: list[LocatedRecord] = []
    problems: list[Problem] = []
    fixture_paths = [path for path in paths if path.suffix not in JSONL_SUFFIXES]
    if fixture_paths:
        corpus = load_corpus(fixture_paths)
        problems.extend(corpus.problems)
        located.extend(
            LocatedRecord(str(file), fixture.conversation)
            for file, fixture in zip(corpus.files, corpus.fixtures, strict=True)
        )
    for path in paths:
        if path.suffix in JSONL_SUFFIXES:
            records, found = read_jsonl(path)
            located.extend(records)
            problems.extend(found)
    return _without_repeated_ids(located, problems)


def read_jsonl(path: Path) -> tuple[list[LocatedRecord], list[Problem]]:
    try:
        with path.open(encoding="utf-8") as handle:
            return parse_records(handle, str(path))
    except UnicodeDecodeError as exc:
        return [], [Problem(str(path), "$", f"not UTF-8 text (bad byte at offset {exc.start})")]
    except OSError as exc:
        return [], [Problem(str(path), "$", f"cannot read: {exc.strerror}")]


def parse_records(lines: Iterable[str], source: str) -> tuple[list[LocatedRecord], list[Problem]]:
    """JSON lines to validated records; each bad line becomes problems at `source:line`."""
    located: list[LocatedRecord] = []
    problems: list[Problem] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{source}:{number}"
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(Problem(where, "$", f"invalid JSON at column {exc.colno}: {exc.msg}"))
            continue
        if not isinstance(data, dict):
            problems.append(Problem(where, "$", "expected a JSON object (one conversation record per line)"))
            continue
        try:
            located.append(LocatedRecord(where, ConversationRecord.model_validate(data)))
        except ValidationError as exc:
            problems.extend(problems_from_validation_error(where, exc, ConversationRecord))
    return located, problems


def _without_repeated_ids(
    located: list[LocatedRecord], problems: list[Problem]
) -> tuple[list[LocatedRecord], list[Problem]]:
    first_seen: dict[str, str] = {}
    unique = []
    for item in located:
        if item.record.id in first_seen:
            problems.append(
                Problem(item.where, "$.id", f"conversation id {item.record.id!r} repeats {first_seen[item.record.id]}")
            )
        else:
            first_seen[item.record.id] = item.where
            unique.append(item)
    return unique, problems


def _write_rows(path: Path, records: Iterable[ConversationRecord]) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(record.model_dump_json())
            handle.write("\n")


def lookup_key(org_id: str, e164: str) -> str:
    """The key of a caller line in `newest_conversations` (see the module docstring)."""
    return f"{e164} {org_id}"


def _record(row: tuple | None) -> ConversationRecord | None:
    if row is None:
        return None
    conversation_id, org, number, created_at, duration, messages = row
    return ConversationRecord.model_validate(
        {
            "id": conversation_id,
            "org_id": org,
            "user_id": number,
            "created_at": created_at,
            "duration_seconds": duration,
            "messages": json.loads(messages),
        }
    )


def _token_record(row: tuple) -> TokenRecord:
    token_id, kind, secret_sha256, scopes, org_id, user_id = row
    return TokenRecord(token_id, kind, secret_sha256, tuple(scopes), org_id, user_id)


def _open_failure(path: Path, exc: duckdb.Error) -> str:
    message = _first_line(exc)
    if "lock" in message.lower():
        return f"{path}: in use by another process (a running `harness serve`?); stop it and try again"
    return f"{path}: cannot open as a DuckDB file: {message}"


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
