"""The results store: one DuckDB file (default `reports/harness.duckdb`) of runs, generations and
scores, plain enough to query with SQL (README has examples).

Rows arrive in batches from the runner's single writer and go in through DuckDB's JSON reader
from a temporary file: DuckDB's `executemany` inserts row by row (~0.4 ms a row), a bulk read is
~200x faster. The schema is versioned by the named migrations below (harness.store.migrations).
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from harness.store.migrations import migrate
from harness.store.transactions import transaction

DEFAULT_RESULTS_PATH = Path("reports/harness.duckdb")
_JSON_OBJECT_LIMIT = 16 * 1024 * 1024  # DuckDB's default maximum_object_size


def m001_runs(connection: duckdb.DuckDBPyConnection) -> None:
    connection.execute("""
        CREATE TABLE runs (
            id VARCHAR PRIMARY KEY,
            label VARCHAR,
            backend VARCHAR NOT NULL,
            model VARCHAR,
            base_url VARCHAR,
            prompt_id VARCHAR NOT NULL,
            prompt_version VARCHAR NOT NULL,
            prompt_hash VARCHAR NOT NULL,
            settings JSON NOT NULL,
            repeats INTEGER NOT NULL,
            fixture_set_hash VARCHAR NOT NULL,
            git_revision VARCHAR,
            harness_version VARCHAR NOT NULL,
            scorer_versions JSON NOT NULL,
            mask_transcript BOOLEAN NOT NULL,
            started_at TIMESTAMPTZ NOT NULL,
            finished_at TIMESTAMPTZ,
            status VARCHAR NOT NULL  -- running | completed | interrupted | failed
        )""")
    connection.execute("""
        CREATE TABLE run_fixtures (
            run_id VARCHAR NOT NULL,
            fixture_id VARCHAR NOT NULL,
            fixture_hash VARCHAR NOT NULL,
            fixture JSON NOT NULL,  -- the exact fixture scored, so re-scoring needs no files
            PRIMARY KEY (run_id, fixture_id)
        )""")


def m002_generations(connection: duckdb.DuckDBPyConnection) -> None:
    connection.execute("""
        CREATE TABLE generations (
            run_id VARCHAR NOT NULL,
            fixture_id VARCHAR NOT NULL,
            repeat INTEGER NOT NULL,
            raw_output VARCHAR,
            brief JSON,
            error_category VARCHAR,
            error_message VARCHAR,
            notes JSON,
            latency_seconds DOUBLE,
            prompt_tokens INTEGER,
            completion_tokens INTEGER,
            cost_usd DOUBLE,
            cache_hit BOOLEAN NOT NULL,
            attempts INTEGER,
            model VARCHAR,
            created_at TIMESTAMPTZ NOT NULL,
            PRIMARY KEY (run_id, fixture_id, repeat)
        )""")


def m003_scores(connection: duckdb.DuckDBPyConnection) -> None:
    # repeat = -1 holds fixture-level scores (consistency across repeats).
    connection.execute("""
        CREATE TABLE scores (
            run_id VARCHAR NOT NULL,
            fixture_id VARCHAR NOT NULL,
            repeat INTEGER NOT NULL,
            scorer VARCHAR NOT NULL,
            version INTEGER NOT NULL,
            metric VARCHAR NOT NULL,
            value DOUBLE,
            reason VARCHAR
        )""")
    connection.execute("CREATE INDEX scores_by_run ON scores (run_id, metric)")


def m004_drop_scores_by_run(connection: duckdb.DuckDBPyConnection) -> None:
    # DuckDB answered no query through this index (EXPLAIN shows sequential scans even for
    # run_id = ? AND metric = ?; zone maps do that job), yet every insert paid for it: a third
    # of the commit of a run's 16,000 score rows.
    connection.execute("DROP INDEX IF EXISTS scores_by_run")


MIGRATIONS = (m001_runs, m002_generations, m003_scores, m004_drop_scores_by_run)

GENERATION_COLUMNS = {
    "run_id": "VARCHAR", "fixture_id": "VARCHAR", "repeat": "INTEGER", "raw_output": "VARCHAR", "brief": "JSON",
    "error_category": "VARCHAR", "error_message": "VARCHAR", "notes": "JSON", "latency_seconds": "DOUBLE",
    "prompt_tokens": "INTEGER", "completion_tokens": "INTEGER", "cost_usd": "DOUBLE", "cache_hit": "BOOLEAN",
    "attempts": "INTEGER", "model": "VARCHAR", "created_at": "TIMESTAMPTZ",
}
SCORE_COLUMNS = {
    "run_id": "VARCHAR", "fixture_id": "VARCHAR", "repeat": "INTEGER", "scorer": "VARCHAR", "version": "INTEGER",
    "metric": "VARCHAR", "value": "DOUBLE", "reason": "VARCHAR",
}


class StoreError(Exception):
    """The results file cannot be used (locked by another process, unknown run id...)."""


@dataclass(frozen=True)
class RunRecord:
    id: str
    label: str | None
    backend: str
    model: str | None
    prompt_id: str
    prompt_version: str
    prompt_hash: str
    settings: dict
    repeats: int
    fixture_set_hash: str
    git_revision: str | None
    harness_version: str
    scorer_versions: dict
    mask_transcript: bool
    started_at: object
    finished_at: object
    status: str
    base_url: str | None = None


class ResultsStore:
    def __init__(self, path: Path = DEFAULT_RESULTS_PATH, read_only: bool = False) -> None:
        self.path = path
        if not read_only:
            path.parent.mkdir(parents=True, exist_ok=True)
        elif not path.exists():
            raise StoreError(f"{path}: no results file (run `harness run` first)")
        try:
            self.db = duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as exc:
            raise StoreError(f"{path}: cannot open ({str(exc).splitlines()[0]})") from None
        if not read_only:
            migrate(self.db, MIGRATIONS)

    def close(self) -> None:
        self.db.close()

    def writer(self) -> ResultsStore:
        """This store on a connection of its own (a DuckDB cursor: the same database, its own
        transactions), for the runner's writer thread: a DuckDB connection must not be used by
        two threads at once, and this one stays free for the thread that opened the store."""
        twin = ResultsStore.__new__(ResultsStore)
        twin.path, twin.db = self.path, self.db.cursor()
        return twin

    # -- runs ---------------------------------------------------------------------------------
    def create_run(self, run: RunRecord, fixtures: Sequence[tuple[str, str, dict]]) -> None:
        """Record a run and the exact fixtures it covers: (fixture_id, fixture_hash, fixture as JSON data)."""
        with transaction(self.db):
            self.db.execute(
                "INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [run.id, run.label, run.backend, run.model, run.base_url, run.prompt_id, run.prompt_version,
                 run.prompt_hash, json.dumps(run.settings), run.repeats, run.fixture_set_hash, run.git_revision,
                 run.harness_version, json.dumps(run.scorer_versions), run.mask_transcript, run.started_at,
                 run.finished_at, run.status],
            )
            self._bulk_insert("run_fixtures", {"run_id": "VARCHAR", "fixture_id": "VARCHAR",
                                               "fixture_hash": "VARCHAR", "fixture": "JSON"},
                              [{"run_id": run.id, "fixture_id": f, "fixture_hash": h, "fixture": j}
                               for f, h, j in fixtures])

    def set_status(self, run_id: str, status: str, finished_at=None) -> None:
        self.db.execute("UPDATE runs SET status = ?, finished_at = ? WHERE id = ?", [status, finished_at, run_id])

    def update_scorer_versions(self, run_id: str, versions: dict) -> None:
        self.db.execute("UPDATE runs SET scorer_versions = ? WHERE id = ?", [json.dumps(versions), run_id])

    def run(self, run_id: str) -> RunRecord:
        """A run by id, unique id prefix, `latest` (the newest) or `latest~N` (the N-th before it)."""
        latest = _LATEST.match(run_id)
        if latest:
            back = int(latest.group(1) or 0)
            runs = self.runs()
            if back >= len(runs):
                raise StoreError(f"{run_id!r}: {self.path} holds {len(runs)} run(s)")
            return runs[back]
        row = self.db.execute(f"SELECT {_RUN_FIELDS} FROM runs WHERE id = ?", [run_id]).fetchone()
        if row is None:
            matches = self.db.execute("SELECT id FROM runs WHERE id LIKE ? ORDER BY started_at DESC",
                                      [run_id + "%"]).fetchall()
            if len(matches) == 1:
                return self.run(matches[0][0])
            hint = "ambiguous prefix" if matches else "no such run"
            raise StoreError(f"{run_id!r}: {hint} in {self.path} (see `harness runs`)")
        return _run_record(row)

    def runs(self) -> list[RunRecord]:
        rows = self.db.execute(f"SELECT {_RUN_FIELDS} FROM runs ORDER BY started_at DESC").fetchall()
        return [_run_record(row) for row in rows]

    def run_fixtures(self, run_id: str) -> list[tuple[str, str, dict]]:
        rows = self.db.execute("SELECT fixture_id, fixture_hash, fixture FROM run_fixtures WHERE run_id = ? "
                               "ORDER BY fixture_id", [run_id]).fetchall()
        return [(fixture_id, digest, json.loads(text)) for fixture_id, digest, text in rows]

    # -- generations and scores ---------------------------------------------------------------
    def add_generations(self, rows: list[dict]) -> None:
        self._bulk_insert("generations", GENERATION_COLUMNS, rows)

    def add_scores(self, rows: list[dict]) -> None:
        self._bulk_insert("scores", SCORE_COLUMNS, rows)

    def add_lines(self, run_id: str, generations_json: list[bytes], scores_json: list[bytes]) -> None:
        """Rows already serialised as UTF-8 JSON without `run_id` (the runner's format, which the
        job cache replays verbatim): each part is one object or several joined by commas. One
        transaction, so a crash between the two tables cannot leave a generation without its
        scores (resume would skip that job)."""
        with transaction(self.db):
            self._insert_json("generations", GENERATION_COLUMNS, generations_json, run_id)
            self._insert_json("scores", SCORE_COLUMNS, scores_json, run_id)

    def replace_scores(self, run_id: str, scores_json: list[bytes], rows: list[dict]) -> None:
        """All scores of a run at once: JSON bodies without run id (runner format) plus full rows."""
        with transaction(self.db):
            self.db.execute("DELETE FROM scores WHERE run_id = ?", [run_id])
            self._insert_json("scores", SCORE_COLUMNS, scores_json, run_id)
            self._bulk_insert("scores", SCORE_COLUMNS, rows)

    def done_jobs(self, run_id: str) -> set[tuple[str, int]]:
        rows = self.db.execute("SELECT fixture_id, repeat FROM generations WHERE run_id = ?", [run_id]).fetchall()
        return {(fixture_id, repeat) for fixture_id, repeat in rows}

    def generations(self, run_id: str) -> list[dict]:
        cursor = self.db.execute("SELECT * FROM generations WHERE run_id = ? ORDER BY fixture_id, repeat", [run_id])
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def scores(self, run_id: str) -> list[tuple[str, int, str, float | None]]:
        return self.db.execute("SELECT fixture_id, repeat, metric, value FROM scores WHERE run_id = ?",
                               [run_id]).fetchall()

    def _bulk_insert(self, table: str, columns: dict[str, str], rows: Iterable[dict]) -> None:
        rows = list(rows)
        if rows:
            self._insert_json(table, columns, [json.dumps(rows, ensure_ascii=False, default=str)[1:-1].encode()])

    def _insert_json(self, table: str, columns: dict[str, str], parts: list[bytes],
                     run_id: str | None = None) -> None:
        """Insert the objects in `parts` (each one or more UTF-8 JSON objects joined by commas) in
        one bulk read. With `run_id` given the objects lack it and every row gets this one. Bytes,
        not str: joining megabytes of non-ASCII str and encoding them cost as much as the read."""
        parts = [part for part in parts if part]
        if not parts:
            return
        read = {c: t for c, t in columns.items() if run_id is None or c != "run_id"}
        handle, name = tempfile.mkstemp(suffix=".json", prefix="harness-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(b"[" + b",".join(parts) + b"]")
            spec = "{" + ", ".join(f"'{c}': '{t}'" for c, t in read.items()) + "}"
            selected = ", ".join(("?" if c == "run_id" and run_id is not None else c) for c in columns)
            # No object is longer than the part holding it. The reader's buffers grow with this
            # limit: a fixed 1 GiB made every read ~20% slower than the 16 MiB default.
            largest = max(_JSON_OBJECT_LIMIT, max(map(len, parts)))
            self.db.execute(
                f"INSERT INTO {table} ({', '.join(columns)}) SELECT {selected} "
                f"FROM read_json(?, format='array', columns={spec}, maximum_object_size={largest})",
                [run_id, name] if run_id is not None else [name],
            )
        finally:
            os.unlink(name)


_LATEST = re.compile(r"^latest(?:~(\d+))?$")
_RUN_FIELDS = ("id, label, backend, model, prompt_id, prompt_version, prompt_hash, settings, repeats, "
               "fixture_set_hash, git_revision, harness_version, scorer_versions, mask_transcript, started_at, "
               "finished_at, status, base_url")


def _run_record(row) -> RunRecord:
    values = list(row)
    values[7] = json.loads(values[7]) if isinstance(values[7], str) else values[7]
    values[12] = json.loads(values[12]) if isinstance(values[12], str) else values[12]
    return RunRecord(*values)
