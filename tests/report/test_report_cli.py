"""`harness report` as users run it: default and chosen output paths, a baseline, input errors."""

import os
import subprocess
import sys

import pytest

from harness.store.results import ResultsStore
from tests.report.runs import corpus, store_run


def harness(*args: str, cwd) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "harness", *args], capture_output=True, text=True, cwd=cwd,
                          env=os.environ.copy(), timeout=120)


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    path = tmp_path_factory.mktemp("runs") / "results.duckdb"
    store = ResultsStore(path)
    fixtures = corpus()[:4]
    store_run(store, "20261002T140000-aaaaaa", fixtures, repeats=2)
    store_run(store, "20261002T150000-bbbbbb", fixtures, repeats=2, minutes=60)
    store.close()
    return path


def test_the_report_goes_to_reports_by_default(results, tmp_path):
    done = harness("report", "20261002T150000", "--db", str(results), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    target = tmp_path / "reports" / "20261002T150000-bbbbbb.html"
    assert done.stdout == f"{os.path.join('reports', target.name)}\n"
    assert done.stderr.startswith(f"wrote reports/{target.name} (") and "4 fixtures" in done.stderr
    page = target.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.count('<details class="card"') == 4


def test_output_and_baseline(results, tmp_path):
    out = tmp_path / "nested" / "page.html"
    done = harness("report", "20261002T150000-bbbbbb", "-o", str(out), "--baseline", "20261002T140000",
                   "--db", str(results), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    page = out.read_text(encoding="utf-8")
    assert "<th class=num>baseline</th><th class=num>change</th>" in page
    assert "4 shared fixtures: 0 regressed, 0 improved, 4 unchanged." in page


def test_latest_names_the_newest_run_and_latest_1_the_one_before(results, tmp_path):
    done = harness("report", "latest", "--baseline", "latest~1", "--db", str(results), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "reports/20261002T150000-bbbbbb.html\n"
    assert "baseline 20261002T140000-aaaaaa)" in done.stderr


@pytest.mark.parametrize(("args", "message"), [
    (("nope",), "Error: 'nope': no such run in {db} (see `harness runs`)"),
    (("20261002T150000", "--baseline", "nope"), "Error: 'nope': no such run in {db} (see `harness runs`)"),
    (("20261002T1",), "Error: '20261002T1': ambiguous prefix in {db} (see `harness runs`)"),
    (("latest~2",), "Error: 'latest~2': {db} holds 2 run(s)"),
])
def test_unknown_runs_are_input_errors_in_one_line(results, tmp_path, args, message):
    done = harness("report", *args, "--db", str(results), cwd=tmp_path)
    assert (done.returncode, done.stderr, done.stdout) == (2, message.format(db=results) + "\n", "")
    assert not (tmp_path / "reports").exists()


def test_a_missing_results_file_is_an_input_error(tmp_path):
    done = harness("report", "x", "--db", str(tmp_path / "none.duckdb"), cwd=tmp_path)
    assert (done.returncode, done.stderr) == (
        2, f"Error: {tmp_path / 'none.duckdb'}: no results file (run `harness run` first)\n")
