"""`harness schema`: export the JSON Schemas from the models, or check the checked-in ones."""

from __future__ import annotations

from pathlib import Path

import click

from harness.cli import EXIT_FAILED

DIR_OPTION = click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("schemas"),
    show_default=True,
    help="Where the schema files live.",
)


@click.group()
def schema() -> None:
    """JSON Schemas generated from the pydantic contract."""


@schema.command("export")
@DIR_OPTION
def export(directory: Path) -> None:
    """Write agent_assist_portal.schema.json and fixture.schema.json from the models."""
    from harness.schemas import export_schemas

    for path in export_schemas(directory):
        click.echo(f"wrote {path}")


@schema.command("check")
@DIR_OPTION
def check(directory: Path) -> None:
    """Fail (exit 1) when a checked-in schema differs from the models."""
    from harness.schemas import schema_drift

    drift = schema_drift(directory)
    for line in drift:
        click.echo(line, err=True)
    if drift:
        raise click.exceptions.Exit(EXIT_FAILED)
    click.echo(f"schemas in {directory} match the models")
