"""`harness report`: one self-contained HTML page for a stored run."""

from __future__ import annotations

import time
from pathlib import Path

import click

from harness.cli import EXIT_INPUT
from harness.cli.run import DB_OPTION

# The same RUN forms as compare/gate/audit (harness/cli/analysis.py): id, unique prefix, latest, latest~N.


class ReportInputError(click.ClickException):
    """An unknown run or an unreadable results file: one `Error: ...` line, exit 2."""

    exit_code = EXIT_INPUT


@click.command()
@click.argument("run")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write the page [default: reports/<run id>.html].")
@click.option("--baseline", "baseline_run", default=None,
              help="A run to compare with: the change per metric and the fixtures whose outcome changed.")
@DB_OPTION
def report(run: str, output: Path | None, baseline_run: str | None, db_path: Path) -> None:
    """Write the HTML report of RUN (an id, a unique prefix, `latest` or `latest~N`): the scoreboard
    with 95% intervals, metric distributions, and one card per fixture (the brief next to the gold
    labels, the transcript with marker hits, misses and false alarms, differences between repeats).
    The page has no external assets and opens offline."""
    from harness.report import build_report, load_report_data
    from harness.store.results import ResultsStore, StoreError

    started = time.perf_counter()
    try:
        store = ResultsStore(db_path, read_only=True)
        run_id = _resolve(store, run)
        baseline_id = _resolve(store, baseline_run) if baseline_run else None
        data = load_report_data(store, run_id, baseline_id)
    except StoreError as exc:
        raise ReportInputError(str(exc)) from None
    page = build_report(data)
    target = output or Path("reports") / f"{data.run.record.id}.html"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page, encoding="utf-8")
    except OSError as exc:
        raise ReportInputError(f"{target}: cannot write: {exc.strerror}") from None
    size = len(page.encode("utf-8"))
    click.echo(f"wrote {target} ({size / 1_000_000:.1f} MB, {len(data.run.fixtures)} fixtures"
               f"{', baseline ' + baseline_id if baseline_id else ''}) in {time.perf_counter() - started:.1f} s",
               err=True)
    click.echo(str(target))


def _resolve(store, reference: str) -> str:
    return store.run(reference).id
