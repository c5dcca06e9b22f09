"""`harness compare`, `harness gate`, `harness audit`: what prompt engineers, CI and compliance
reviewers do with stored runs. RUN arguments take a run id, a unique prefix of one, `latest` (the
newest run in the file) or `latest~N` (the N-th before it)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from harness.cli import EXIT_FAILED, EXIT_INPUT
from harness.cli.run import DB_OPTION


class InputError(click.ClickException):
    """Bad input (a config, a run id, runs that cannot be paired): one line `Error: ...`, exit 2.
    click's UsageError would add the usage text, which says nothing about a bad file."""

    exit_code = EXIT_INPUT


@click.command()
@click.argument("base_run")
@click.argument("candidate_run")
@DB_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print the comparison as JSON.")
def compare(base_run: str, candidate_run: str, db_path: Path, as_json: bool) -> None:
    """Compare CANDIDATE_RUN with BASE_RUN: per metric both means and the paired difference over
    shared fixtures with a bootstrap 95% CI (better / worse / no significant change), then the
    fixtures that regressed or improved. Refuses runs that share no fixtures or changed one."""
    from harness.analysis.compare_text import comparison_data, comparison_text

    store = _open(db_path)
    base, candidate = _run(store, base_run), _run(store, candidate_run)
    comparison = _compare(store, base.id, candidate.id)
    if as_json:
        click.echo(json.dumps(comparison_data(comparison), indent=2))
        return
    notes = [f"note: {name} differs: base {a}, candidate {b}" for name, a, b in _differences(base, candidate)]
    click.echo(comparison_text(comparison, "\n".join(notes)))


@click.command()
@click.argument("run_id", metavar="RUN")
@click.option("--baseline", default=None, metavar="RUN",
              help="Judge the [regression] thresholds against this run (paired, 95% CI).")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path), default=Path("gates.toml"),
              show_default=True, help="Thresholds file (TOML).")
@click.option("--junit", "junit_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write JUnit XML: one test case per threshold and per fixture.")
@click.option("--markdown", "markdown_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write a Markdown summary (a pull request comment, or $GITHUB_STEP_SUMMARY).")
@DB_OPTION
def gate(run_id: str, baseline: str | None, config_path: Path, junit_path: Path | None, markdown_path: Path | None,
         db_path: Path) -> None:
    """Check RUN against the thresholds in --config; exit 0 when every threshold holds, 1 when one
    fails, 2 on a bad config, an unknown run or a missing file."""
    from harness.analysis.gate import GateConfigError, check_metric_names, evaluate_gate, parse_config
    from harness.analysis.gate_report import gate_junit, gate_markdown, gate_text
    from harness.store.aggregates import generation_counts, metric_names, run_summary

    try:
        text = config_path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{config_path}: cannot read the thresholds file ({exc.strerror})") from None
    try:
        config = parse_config(text, str(config_path))
    except GateConfigError as exc:
        raise InputError(str(exc)) from None
    store = _open(db_path)
    record = _run(store, run_id)
    base = _run(store, baseline) if baseline else None
    if base is None and config.needs_baseline:
        click.echo(f"note: {config_path} has [regression]/[fixtures] thresholds; they need --baseline RUN and are "
                   "not checked", err=True)
    try:
        check_metric_names(config, record.id, metric_names(store.db, record.id),
                           metric_names(store.db, base.id) if base else None)
    except GateConfigError as exc:
        raise InputError(str(exc)) from None
    comparison = _compare(store, base.id, record.id) if base else None
    result = evaluate_gate(config, run_summary(store.db, record.id), generation_counts(store.db, record.id),
                           comparison)
    for path, render in ((junit_path, gate_junit), (markdown_path, gate_markdown)):
        if path is not None:
            _write(path, render(result))
    click.echo(gate_text(result))
    if not result.passed:
        raise click.exceptions.Exit(EXIT_FAILED)


@click.command()
@click.argument("run_id", metavar="RUN")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write every row as CSV to this file (the summary still prints).")
@click.option("--json", "as_json", is_flag=True, help="Print the rows as JSON.")
@DB_OPTION
def audit(run_id: str, csv_path: Path | None, as_json: bool, db_path: Path) -> None:
    """Every expected, raised, missed and false-alarm compliance flag and every privacy leak of
    RUN, with fixture, repeat, message index, masked evidence and severity; critical misses first."""
    from harness.analysis.audit import audit_run
    from harness.analysis.audit_text import audit_csv, audit_data, audit_headline, audit_text

    if csv_path is not None and as_json:
        raise click.UsageError("choose one of --csv FILE and --json")
    store = _open(db_path)
    record = _run(store, run_id)
    fixtures = {fixture_id: data for fixture_id, _, data in store.run_fixtures(record.id)}
    rows = audit_run(fixtures, store.generations(record.id))
    if as_json:
        click.echo(json.dumps(audit_data(record.id, rows), indent=2, ensure_ascii=False))
    elif csv_path is not None:
        _write(csv_path, audit_csv(rows))
        click.echo(f"{audit_headline(record.id, rows)}\n{len(rows)} rows written to {csv_path}")
    else:
        click.echo(audit_text(record.id, rows))


def _open(db_path: Path):
    from harness.store.results import ResultsStore, StoreError

    try:
        return ResultsStore(db_path, read_only=True)
    except StoreError as exc:
        raise InputError(str(exc)) from None


def _run(store, reference: str):
    """The run a RUN argument names: an id, a unique prefix, `latest` or `latest~N`."""
    from harness.store.results import StoreError

    try:
        return store.run(reference)
    except StoreError as exc:
        raise InputError(str(exc)) from None


def _compare(store, base_id: str, candidate_id: str):
    from harness.analysis.compare import CompareError, compare_runs
    from harness.store.aggregates import run_summary

    try:
        return compare_runs(run_summary(store.db, base_id), run_summary(store.db, candidate_id))
    except CompareError as exc:
        raise InputError(f"cannot compare: {exc}") from None


def _differences(base, candidate) -> list[tuple[str, object, object]]:
    """What differs between two runs besides the model's answers, worth knowing when reading deltas."""
    fields = {"scorer versions": "scorer_versions", "repeats": "repeats", "transcript masking": "mask_transcript"}
    return [(name, getattr(base, attr), getattr(candidate, attr)) for name, attr in fields.items()
            if getattr(base, attr) != getattr(candidate, attr)]


def _write(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot write ({exc.strerror})") from None
