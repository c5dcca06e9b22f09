"""`harness run` (the main job), `harness score`, `harness runs`, `harness show`."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from harness.cli import EXIT_INPUT
from harness.cli.options import CACHE_PATH_OPTION, backend_options, load_prompt_or_fail, make_backend, model_settings
from harness.fixtures.model import Domain

DB_OPTION = click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path),
                         default=Path("reports/harness.duckdb"), show_default=True, help="Results file (DuckDB).")
JSON_OPTION = click.option("--json", "as_json", is_flag=True, help="Print the scoreboard as JSON.")


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@backend_options
@click.option("--tag", "tags", multiple=True, help="Only fixtures with this tag (repeatable: any of them).")
@click.option("--domain", "domains", multiple=True, type=click.Choice([d.value for d in Domain]),
              help="Only fixtures of this domain (repeatable).")
@click.option("--repeats", type=click.IntRange(1, 100), default=3, show_default=True,
              help="Independent samples per fixture (pass^k needs all of them to pass).")
@click.option("--concurrency", type=click.IntRange(1, 512), default=4, show_default=True,
              help="Generations in flight at once.")
@click.option("--label", default=None, help="A name for the run, shown by `harness runs`.")
@DB_OPTION
@click.option("--no-cache", is_flag=True, help="Always call the model (model backends).")
@CACHE_PATH_OPTION
@click.option("--resume", "resume_id", default=None, metavar="RUN_ID",
              help="Finish an interrupted run: generate only the missing (fixture, repeat) jobs.")
@click.option("--raw-transcript", is_flag=True, help="Do not mask secrets in the brief's transcript.")
@JSON_OPTION
def run(paths, backend, model, base_url, request_shape, prompt_ref, temperature, seed, max_tokens, timeout, tags,
        domains, repeats, concurrency, label, db_path, no_cache, cache_path, resume_id, raw_transcript, as_json):
    """Generate briefs for the fixtures (default: fixtures/conversations), score them, store
    everything in DuckDB and print the scoreboard. Ctrl-C keeps every finished row."""
    from harness.runner import RunOptions, expand_jobs, finalise_consistency, run_jobs
    from harness.store.results import ResultsStore, StoreError

    try:
        store = ResultsStore(db_path)
    except StoreError as exc:
        raise click.UsageError(str(exc)) from None
    if resume_id:
        record, fixtures, prompt, settings = _resume(store, resume_id, paths, backend, model, base_url)
        backend, model, base_url = record.backend, record.model, record.base_url
        repeats, mask_transcript = record.repeats, record.mask_transcript
    else:
        fixtures = _select_fixtures(paths, tags, domains)
        prompt = load_prompt_or_fail(prompt_ref)
        settings = model_settings(model, temperature, seed, max_tokens)
        mask_transcript = not raw_transcript
    chosen = make_backend(backend, model, base_url, request_shape, timeout)
    if backend != "rules" and not no_cache:
        from harness.backends.cache import CachedBackend, ResponseCache

        chosen = CachedBackend(chosen, ResponseCache(cache_path))
    if not resume_id:
        record = _create_run(store, fixtures, backend, model, base_url, prompt, settings, repeats, label,
                             mask_transcript)
    jobs = expand_jobs(fixtures, repeats, store.done_jobs(record.id))
    click.echo(f"run {record.id}: {len(fixtures)} fixtures × {repeats} repeats, {len(jobs)} jobs to do, "
               f"backend {backend}{' ' + model if model else ''}, prompt {prompt.id}@{prompt.version} "
               f"({prompt.hash})", err=True)
    options = RunOptions(concurrency=concurrency, mask_transcript=mask_transcript, settings=settings)
    bar = _ProgressLine(len(jobs))

    async def execute():
        try:
            return await run_jobs(record.id, jobs, chosen, prompt, store, options, bar.update)
        finally:
            await chosen.aclose()

    try:
        progress = asyncio.run(execute())
    except KeyboardInterrupt:
        bar.finish()
        store.set_status(record.id, "interrupted", datetime.now(UTC))
        saved = len(store.done_jobs(record.id))
        click.echo(f"interrupted: {saved} of {len(fixtures) * repeats} generations are saved in {db_path}; "
                   f"finish with `harness run --resume {record.id} --db {db_path}`", err=True)
        sys.exit(130)
    bar.finish()
    finalise_consistency(store, record.id, {f.id: f for f in fixtures})
    store.set_status(record.id, "completed", datetime.now(UTC))
    click.echo(f"done: {progress.done} generated ({progress.failed} failed, {progress.cache_hits} from cache); "
               f"results in {db_path}", err=True)
    _print_board(store, record.id, as_json)


def _select_fixtures(paths, tags, domains):
    from harness.fixtures.load import DEFAULT_FIXTURE_DIR, load_corpus

    corpus = load_corpus(list(paths) or [DEFAULT_FIXTURE_DIR])
    if corpus.problems:
        for problem in corpus.problems:
            click.echo(str(problem), err=True)
        click.echo("fix the fixtures first (see `harness fixtures validate`)", err=True)
        raise click.exceptions.Exit(EXIT_INPUT)
    chosen = [f for f in corpus.fixtures
              if (not tags or set(tags) & set(f.tags)) and (not domains or f.domain.value in domains)]
    if not chosen:
        raise click.UsageError("no fixture matches the selection (paths, --tag, --domain)")
    return chosen


def _create_run(store, fixtures, backend, model, base_url, prompt, settings, repeats, label, mask_transcript):
    from harness import __version__
    from harness.runner import fixture_hash, fixture_set_hash, new_run_id
    from harness.scoring import scorer_versions
    from harness.store.results import RunRecord

    record = RunRecord(
        id=new_run_id(), label=label, backend=backend, model=model, base_url=base_url, prompt_id=prompt.id,
        prompt_version=prompt.version, prompt_hash=prompt.hash,
        settings=settings.merged_over(prompt.settings).as_dict(), repeats=repeats,
        fixture_set_hash=fixture_set_hash(fixtures), git_revision=_git_revision(), harness_version=__version__,
        scorer_versions=scorer_versions(), mask_transcript=mask_transcript, started_at=datetime.now(UTC),
        finished_at=None, status="running",
    )
    rows = [(f.id, fixture_hash(f), f.model_dump(mode="json", exclude_unset=True)) for f in fixtures]
    store.create_run(record, rows)
    return record


def _resume(store, run_id, paths, backend, model, base_url):
    """The run as it was started: its stored fixtures, prompt (same hash) and settings."""
    from harness.backends.base import ModelSettings
    from harness.fixtures.model import Fixture
    from harness.prompts import PromptError, find_prompt
    from harness.store.results import StoreError

    try:
        record = store.run(run_id)
    except StoreError as exc:
        raise click.UsageError(str(exc)) from None
    if record.status == "completed" and len(store.done_jobs(record.id)) >= len(store.run_fixtures(record.id)) * \
            record.repeats:
        raise click.UsageError(f"run {record.id} is already complete; nothing to resume")
    try:
        prompt = find_prompt(f"{record.prompt_id}@{record.prompt_version}")
    except PromptError as exc:
        raise click.UsageError(f"cannot resume {record.id}: {exc}") from None
    if prompt.hash != record.prompt_hash:
        raise click.UsageError(f"cannot resume {record.id}: prompt {prompt.id}@{prompt.version} changed since the "
                               f"run started (hash {prompt.hash}, run used {record.prompt_hash})")
    fixtures = [Fixture.model_validate(data) for _, _, data in store.run_fixtures(record.id)]
    known = {key: value for key, value in record.settings.items() if key in ModelSettings.__dataclass_fields__}
    store.set_status(record.id, "running")
    return record, fixtures, prompt, ModelSettings(**known)


def _git_revision() -> str | None:
    try:
        result = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout.strip() or None if result.returncode == 0 else None


class _ProgressLine:
    """A progress line on stderr: redrawn in place on a terminal, every 10% otherwise."""

    def __init__(self, total: int) -> None:
        self.total = max(total, 1)
        self.interactive = sys.stderr.isatty()
        self.last_decile = -1
        self.drawn = False

    def update(self, progress) -> None:
        share = progress.done / self.total
        text = f"  {progress.done}/{self.total} ({share:.0%}), {progress.failed} failed, {progress.cache_hits} cached"
        if self.interactive:
            click.echo("\r" + text, nl=False, err=True)
            self.drawn = True
        elif int(share * 10) > self.last_decile:
            self.last_decile = int(share * 10)
            click.echo(text, err=True)

    def finish(self) -> None:
        if self.drawn:
            click.echo("", err=True)
            self.drawn = False


@click.command()
@click.argument("run_id")
@DB_OPTION
@JSON_OPTION
def score(run_id: str, db_path: Path, as_json: bool) -> None:
    """Re-score a stored run with the current scorers, without generating again."""
    from harness.fixtures.model import Fixture
    from harness.runner import rescore
    from harness.scoring import scorer_versions

    store = _open(db_path)
    record = _run_or_fail(store, run_id)
    fixtures = {fid: Fixture.model_validate(data) for fid, _, data in store.run_fixtures(record.id)}
    rescored = rescore(record.id, fixtures, store.generations(record.id), record.mask_transcript)
    store.replace_scores(record.id, rescored.scores_json, rescored.consistency)
    store.update_scorer_versions(record.id, scorer_versions())
    click.echo(f"re-scored {record.id}: {rescored.rows} score rows", err=True)
    _print_board(store, record.id, as_json)


@click.command()
@DB_OPTION
@JSON_OPTION
def runs(db_path: Path, as_json: bool) -> None:
    """List the stored runs, newest first."""
    store = _open(db_path, read_only=True)
    rows = store.db.execute("""
        SELECT r.id, r.label, r.backend, r.model, r.prompt_id || '@' || r.prompt_version, r.prompt_hash, r.repeats,
               r.status, r.started_at, count(DISTINCT g.fixture_id), count(g.fixture_id),
               avg(CASE WHEN s.metric = 'pass' THEN s.value END)
        FROM runs r LEFT JOIN generations g ON g.run_id = r.id
        LEFT JOIN scores s ON s.run_id = g.run_id AND s.fixture_id = g.fixture_id AND s.repeat = g.repeat
             AND s.metric = 'pass'
        GROUP BY ALL ORDER BY r.started_at DESC""").fetchall()
    if as_json:
        keys = ("id", "label", "backend", "model", "prompt", "prompt_hash", "repeats", "status", "started_at",
                "fixtures", "generations", "pass_rate")
        click.echo(json.dumps([dict(zip(keys, row, strict=True)) for row in rows], default=str, indent=2))
        return
    click.echo(f"{'run':<24} {'status':<11} {'backend':<16} {'prompt':<22} {'gens':>5} {'pass':>6}  label")
    for row in rows:
        backend = row[2] + (f":{row[3]}" if row[3] else "")
        rate = "-" if row[11] is None else f"{row[11]:.0%}"
        click.echo(f"{row[0]:<24} {row[7]:<11} {backend[:16]:<16} {row[4][:22]:<22} {row[10]:>5} {rate:>6}  "
                   f"{row[1] or ''}")


@click.command()
@click.argument("run_id")
@DB_OPTION
@JSON_OPTION
@click.option("--detail", is_flag=True, help="Include per-type metrics.")
def show(run_id: str, db_path: Path, as_json: bool, detail: bool) -> None:
    """Print a stored run's scoreboard."""
    store = _open(db_path, read_only=True)
    record = _run_or_fail(store, run_id)
    _print_board(store, record.id, as_json, detail)


def _open(db_path: Path, read_only: bool = False):
    from harness.store.results import ResultsStore, StoreError

    try:
        return ResultsStore(db_path, read_only=read_only)
    except StoreError as exc:
        raise click.UsageError(str(exc)) from None


def _run_or_fail(store, run_id: str):
    from harness.store.results import StoreError

    try:
        return store.run(run_id)
    except StoreError as exc:
        raise click.UsageError(str(exc)) from None


def _print_board(store, run_id: str, as_json: bool, detail: bool = False) -> None:
    from harness.analysis.scoreboard import build_scoreboard
    from harness.analysis.scoreboard_text import scoreboard_data, scoreboard_text

    record = store.run(run_id)
    board = build_scoreboard(store.scores(run_id))
    if as_json:
        click.echo(json.dumps({"run": record.id, "status": record.status, **scoreboard_data(board)}, indent=2))
        return
    title = (f"run {record.id} [{record.status}]  backend {record.backend}"
             f"{' ' + record.model if record.model else ''}  prompt {record.prompt_id}@{record.prompt_version} "
             f"({record.prompt_hash})  repeats {record.repeats}")
    click.echo(scoreboard_text(board, title, detail))
