"""`harness prompts`: the versioned prompt files and their identities."""

from __future__ import annotations

import json
from pathlib import Path

import click


@click.group()
def prompts() -> None:
    """Versioned prompt files in prompts/."""


@prompts.command("list")
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("prompts"),
    show_default=True,
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def list_(directory: Path, as_json: bool) -> None:
    """Show each prompt's id, version, identity hash and default settings."""
    from harness.prompts import PromptError, list_prompts

    try:
        found = list_prompts(directory)
    except PromptError as exc:
        raise click.UsageError(str(exc)) from None
    if as_json:
        rows = [
            {
                "id": p.id,
                "version": p.version,
                "hash": p.hash,
                "settings": p.settings,
                "path": str(p.path),
                "description": p.description,
            }
            for p in found
        ]
        click.echo(json.dumps(rows, indent=2))
        return
    if not found:
        click.echo(f"no *.prompt files in {directory}", err=True)
        return
    click.echo(f"{'id':<28} {'version':<9} {'hash':<13} settings")
    for p in found:
        settings = ", ".join(f"{k}={v}" for k, v in p.settings.items()) or "-"
        click.echo(f"{p.id:<28} {p.version:<9} {p.hash:<13} {settings}")
