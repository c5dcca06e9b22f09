"""`harness fixtures`: validate the corpus, show its coverage, import production calls."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from harness.cli import EXIT_FAILED, EXIT_INPUT
from harness.fixtures.model import Domain

PATHS = click.argument("paths", nargs=-1, type=click.Path(path_type=Path))


def _paths_or_default(paths: tuple[Path, ...]) -> list[Path]:
    from harness.fixtures.load import DEFAULT_FIXTURE_DIR

    return list(paths) or [DEFAULT_FIXTURE_DIR]


@click.group()
def fixtures() -> None:
    """The gold-labelled fixture corpus."""


@fixtures.command()
@PATHS
def validate(paths: tuple[Path, ...]) -> None:
    """Check fixture files (default: fixtures/conversations) against the schema and the
    cross-field rules. One line per problem; exit 0 when clean, 2 when not."""
    from harness.fixtures.load import load_corpus

    corpus = load_corpus(_paths_or_default(paths))
    for problem in corpus.problems:
        click.echo(str(problem))
    files = len({*map(str, corpus.files), *(p.file for p in corpus.problems)})
    if corpus.problems:
        click.echo(f"{len(corpus.problems)} problem(s) in {files} file(s)", err=True)
        raise click.exceptions.Exit(EXIT_INPUT)
    click.echo(f"{len(corpus.fixtures)} fixtures, 0 problems", err=True)


@fixtures.command()
@PATHS
@click.option("--json", "as_json", is_flag=True, help="Print the table as JSON.")
@click.option("--check", is_flag=True, help="Exit 1 when a coverage cell is below its minimum.")
def stats(paths: tuple[Path, ...], as_json: bool, check: bool) -> None:
    """Coverage of the corpus: domains, sentiment levels, marker and flag types, scenarios,
    long calls, and how many fixtures carry each gold label."""
    from harness.fixtures.coverage import coverage, label_counts
    from harness.fixtures.load import load_corpus

    corpus = load_corpus(_paths_or_default(paths))
    if corpus.problems:
        for problem in corpus.problems:
            click.echo(str(problem), err=True)
        click.echo("fix these first (see `harness fixtures validate`)", err=True)
        raise click.exceptions.Exit(EXIT_INPUT)
    cells = coverage(corpus.fixtures)
    labels = label_counts(corpus.fixtures)
    gaps = [cell for cell in cells if not cell.ok]
    if as_json:
        payload = {
            "fixtures": len(corpus.fixtures),
            "coverage": [
                {"group": c.group, "item": c.item, "count": c.count, "minimum": c.minimum, "ok": c.ok}
                for c in cells
            ],
            "labels": labels,
        }
        click.echo(json.dumps(payload, indent=2))
    else:
        _print_stats(len(corpus.fixtures), cells, labels, gaps)
    if check and gaps:
        raise click.exceptions.Exit(EXIT_FAILED)


def _print_stats(total: int, cells, labels: dict[str, int], gaps) -> None:
    click.echo(f"{total} fixtures\n")
    width = max(len(c.item) for c in cells)
    group = None
    for cell in cells:
        if cell.group != group:
            group = cell.group
            click.echo(click.style(group.upper(), bold=True))
        status = "ok" if cell.ok else click.style(f"GAP (needs {cell.minimum})", fg="red")
        click.echo(f"  {cell.item:<{width}}  {cell.count:>3}  {status}")
    click.echo(click.style("\nGOLD LABELS (fixtures carrying each key)", bold=True))
    for key, count in labels.items():
        click.echo(f"  {key:<{width}}  {count:>3}")
    summary = f"{len(gaps)} coverage gap(s)" if gaps else "every coverage cell is at its minimum or above"
    click.echo(f"\n{summary}")


@fixtures.command("import")
@click.argument("calls", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory to write fixture files into (created if missing).",
)
@click.option(
    "--domain",
    default="other",
    show_default=True,
    type=click.Choice([d.value for d in Domain]),
    help="Domain given to every imported fixture.",
)
@click.option("--overwrite", is_flag=True, help="Replace fixture files that already exist.")
def import_(calls: Path, out_dir: Path, domain: str, overwrite: bool) -> None:
    """Turn a JSON-lines file of conversation records into fixtures with an empty `expected`.

    Bad lines are reported by number and produce no file; the good ones are written.
    Exit 0 when every line imported, 2 when any line was bad."""
    from harness.fixtures.importer import fixture_json, import_records
    from harness.fixtures.problems import Problem

    try:
        with calls.open(encoding="utf-8") as handle:
            imported, problems = import_records(handle, str(calls), Domain(domain))
    except UnicodeDecodeError as exc:
        raise click.BadParameter(f"{calls} is not UTF-8 text (bad byte at offset {exc.start})") from None
    out_dir.mkdir(parents=True, exist_ok=True)
    written = 0
    for item in imported:
        target = out_dir / f"{item.fixture.id}.json"
        if target.exists() and not overwrite:
            problems.append(
                Problem(f"{calls}:{item.line}", "$.id", f"{target} exists; pass --overwrite to replace it")
            )
            continue
        _write_atomically(target, fixture_json(item.fixture))
        written += 1
    for problem in sorted(problems, key=lambda p: int(p.file.rsplit(":", 1)[1])):
        click.echo(str(problem))
    click.echo(f"wrote {written} fixture(s) to {out_dir}; {len(problems)} problem(s)", err=True)
    if problems:
        raise click.exceptions.Exit(EXIT_INPUT)


def _write_atomically(target: Path, text: str) -> None:
    temporary = target.with_suffix(".json.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, target)
