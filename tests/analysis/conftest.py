"""One results file with the runs the analysis tests read, built once per session (in-process)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from harness.cli import cli
from harness.store.results import ResultsStore
from tests.analysis.builders import PASSING, corpus_fixtures, drop_flags, everywhere, only, store_run, wrong_name

REGRESSED = PASSING[0]  # made to miss its critical flags in the `one_regressed` run


@dataclass(frozen=True)
class Runs:
    db: Path


@pytest.fixture(scope="session")
def runs(tmp_path_factory) -> Runs:
    """base / same (identical) / one_regressed / all_regressed / disjoint / changed, latest = changed."""
    db = tmp_path_factory.mktemp("analysis") / "runs.duckdb"
    store = ResultsStore(db)
    fixtures = corpus_fixtures()
    store_run(store, "base", fixtures, order=0)
    store_run(store, "same", fixtures, order=1)
    store_run(store, "one_regressed", fixtures, alter=only(REGRESSED, drop_flags), order=2)
    store_run(store, "all_regressed", fixtures, alter=everywhere(wrong_name), order=3)
    store_run(store, "disjoint", corpus_fixtures(("healthcare-mri-prior-auth-delay-production-sample",)), order=4)
    changed = [fixtures[0].model_copy(update={"title": "Same id, edited title"}), *fixtures[1:]]
    store_run(store, "changed", changed, order=5)
    store.close()
    return Runs(db)


def invoke(*args: str):
    """The command as a user types it, in-process (stdout and stderr kept apart)."""
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)
