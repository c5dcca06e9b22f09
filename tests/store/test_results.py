"""The results store's bulk writes: rows arrive as UTF-8 JSON parts (the runner's format) and
come back exactly, both tables of a batch go in together, and no row is too large."""

from __future__ import annotations

import json

import duckdb
import pytest

from harness.store.migrations import migrate
from harness.store.results import MIGRATIONS, ResultsStore


def generation(fixture_id: str, repeat: int, **fields) -> bytes:
    row = {"fixture_id": fixture_id, "repeat": repeat, "raw_output": "{}", "brief": {"summary": "café — ok"},
           "notes": [], "cache_hit": False, "created_at": "2024-05-01T12:00:00+00:00", **fields}
    return json.dumps(row, ensure_ascii=False).encode()


def scores(fixture_id: str, repeat: int, *metrics: str) -> bytes:
    rows = [{"fixture_id": fixture_id, "repeat": repeat, "scorer": "s", "version": 1, "metric": m, "value": 0.5,
             "reason": "“quoted”"} for m in metrics]
    return json.dumps(rows, ensure_ascii=False)[1:-1].encode()


def test_lines_are_stored_with_the_run_id_and_read_back_exactly(tmp_path):
    store = ResultsStore(tmp_path / "r.duckdb")
    store.add_lines("run-1", [generation("a", 0), generation("a", 1, brief=None)],
                    [scores("a", 0, "pass", "recall"), b"", scores("a", 1, "pass")])

    assert store.db.execute("SELECT run_id, fixture_id, repeat, brief->>'summary', json_type(notes) "
                            "FROM generations ORDER BY repeat").fetchall() == [
        ("run-1", "a", 0, "café — ok", "ARRAY"), ("run-1", "a", 1, None, "ARRAY")]
    assert sorted(store.scores("run-1")) == [("a", 0, "pass", 0.5), ("a", 0, "recall", 0.5), ("a", 1, "pass", 0.5)]
    assert store.db.execute("SELECT DISTINCT reason FROM scores").fetchall() == [("“quoted”",)]


def test_a_batch_whose_scores_fail_stores_no_generation(tmp_path):
    store = ResultsStore(tmp_path / "r.duckdb")
    with pytest.raises(duckdb.Error):
        store.add_lines("run-1", [generation("a", 0)], [b'{"fixture_id": "a", "repeat": '])
    assert store.done_jobs("run-1") == set()  # so resume generates and scores it again
    store.add_lines("run-1", [generation("a", 0)], [scores("a", 0, "pass")])
    assert store.done_jobs("run-1") == {("a", 0)}


def test_a_row_larger_than_duckdbs_default_object_limit_is_stored(tmp_path):
    store = ResultsStore(tmp_path / "r.duckdb")
    huge = "y" * (34 * 1024 * 1024)  # past the 16 MiB default, whose reader gives up beyond ~32 MiB
    store.add_lines("run-1", [generation("a", 0, raw_output=huge)], [scores("a", 0, "pass")])
    assert store.db.execute("SELECT length(raw_output) FROM generations").fetchone() == (len(huge),)


def test_a_file_from_before_m004_loses_the_unused_scores_index_and_keeps_its_rows(tmp_path):
    path = tmp_path / "old.duckdb"
    with duckdb.connect(str(path)) as connection:
        migrate(connection, MIGRATIONS[:3])
        connection.execute("INSERT INTO scores VALUES ('old', 'a', 0, 's', 1, 'pass', 1.0, NULL)")
        assert connection.execute("SELECT index_name FROM duckdb_indexes()").fetchall() == [("scores_by_run",)]
    store = ResultsStore(path)
    assert store.db.execute("SELECT index_name FROM duckdb_indexes()").fetchall() == []
    assert store.scores("old") == [("a", 0, "pass", 1.0)]
