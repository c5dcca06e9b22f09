"""`harness store`: the conversation store the reference endpoint serves from."""

from __future__ import annotations

from pathlib import Path

import click

from harness.cli import EXIT_INPUT

STORE_OPTION = click.option(
    "--store",
    "store_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("reports/conversations.duckdb"),
    show_default=True,
    help="Conversation store (a DuckDB file).",
)


def fail(message: str, code: int = EXIT_INPUT) -> None:
    """One line on stderr and the exit code; what the README promises for bad input."""
    click.echo(f"error: {message}", err=True)
    raise click.exceptions.Exit(code)


def open_store_or_fail(path: Path, *, read_only: bool):
    from harness.store.conversations import ConversationStore, StoreError

    try:
        return ConversationStore.open(path, read_only=read_only)
    except StoreError as exc:
        fail(str(exc))


@click.group()
def store() -> None:
    """The conversation store behind `harness serve`."""


@store.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@STORE_OPTION
def load(paths: tuple[Path, ...], store_path: Path) -> None:
    """Load conversations from PATHS: fixture files or directories, or JSON-lines files
    (.jsonl, one conversation record per line).

    All or nothing: every bad record is reported (file:line: $.path: reason) and then nothing is
    loaded, exit 2. A conversation id already in the store is a bad record."""
    from harness.store.conversations import read_sources

    located, problems = read_sources(list(paths))
    if not problems:
        with open_store_or_fail(store_path, read_only=False) as opened:
            problems = opened.load(located)
            total = opened.count_conversations()
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        fail(f"{len(problems)} problem(s); nothing loaded into {store_path}")
    click.echo(f"loaded {len(located)} conversation(s) into {store_path} ({total} in total)")
