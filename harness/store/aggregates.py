"""Aggregates of stored runs for the analysis commands (compare, gate): computed in DuckDB.

A run of 10,000 generations holds ~500,000 score rows; averaging them per (fixture, metric) in
SQL returns a few tens of thousands of rows as numpy columns, where a Python loop over the raw
rows would take seconds. The analysis modules stay pure: they receive these columns.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np


@dataclass(frozen=True)
class FixtureMeanRows:
    """One run's per-(fixture, metric) means, as parallel columns."""

    fixture_id: np.ndarray  # object (str)
    metric: np.ndarray  # object (str)
    mean: np.ndarray  # float64
    count: np.ndarray  # int64: the non-null values averaged (repeats, or 1 for fixture-level scores)


# Per-type match counts (`markers.key_info.tp`) are stored only when non-zero and are pooled over
# the corpus (the scoreboard's P/R/F1 table), never averaged per fixture: a mean of them means nothing.
POOLED_COUNT = r"^(markers|compliance)\.[a-z_]+\.(tp|fp|fn)$"


@dataclass(frozen=True)
class RunSummary:
    """What compare and gate read of one run."""

    run_id: str
    means: FixtureMeanRows
    fixture_hashes: dict[str, str]
    failure_reasons: dict[str, str]  # fixture id -> the pass rule's reasons for its failing repeats


def run_summary(db: duckdb.DuckDBPyConnection, run_id: str) -> RunSummary:
    return RunSummary(run_id, fixture_means(db, run_id), fixture_hashes(db, run_id), failure_reasons(db, run_id))


def fixture_means(db: duckdb.DuckDBPyConnection, run_id: str) -> FixtureMeanRows:
    """Mean and count of the non-null values of every metric per fixture (pooled counts left out)."""
    columns = db.execute(
        "SELECT fixture_id, metric, avg(value) AS mean, count(value) AS n FROM scores "
        "WHERE run_id = ? AND value IS NOT NULL AND NOT regexp_matches(metric, ?) "
        "GROUP BY fixture_id, metric ORDER BY fixture_id, metric",
        [run_id, POOLED_COUNT],
    ).fetchnumpy()
    return FixtureMeanRows(
        np.asarray(columns["fixture_id"], dtype=object), np.asarray(columns["metric"], dtype=object),
        np.asarray(columns["mean"], dtype=np.float64), np.asarray(columns["n"], dtype=np.int64),
    )


def metric_names(db: duckdb.DuckDBPyConnection, run_id: str) -> set[str]:
    """Every averaged metric the run stored, including those "not labelled" on every fixture."""
    rows = db.execute("SELECT DISTINCT metric FROM scores WHERE run_id = ? AND NOT regexp_matches(metric, ?)",
                      [run_id, POOLED_COUNT]).fetchall()
    return {name for (name,) in rows}


def fixture_hashes(db: duckdb.DuckDBPyConnection, run_id: str) -> dict[str, str]:
    rows = db.execute("SELECT fixture_id, fixture_hash FROM run_fixtures WHERE run_id = ?", [run_id]).fetchall()
    return dict(rows)


def failure_reasons(db: duckdb.DuckDBPyConnection, run_id: str) -> dict[str, str]:
    """Per fixture, the pass rule's distinct reasons over its failing repeats."""
    rows = db.execute(
        "SELECT fixture_id, string_agg(DISTINCT reason, '; ' ORDER BY reason) FROM scores "
        "WHERE run_id = ? AND metric = 'pass' AND value = 0 GROUP BY fixture_id",
        [run_id],
    ).fetchall()
    return dict(rows)


def generation_counts(db: duckdb.DuckDBPyConnection, run_id: str) -> tuple[int, int]:
    """(generations stored, generations expected = fixtures × repeats)."""
    stored = db.execute("SELECT count(*) FROM generations WHERE run_id = ?", [run_id]).fetchone()[0]
    expected = db.execute(
        "SELECT count(*) * any_value(r.repeats) FROM run_fixtures f JOIN runs r ON r.id = f.run_id WHERE r.id = ?",
        [run_id],
    ).fetchone()[0]
    return stored, expected or 0
