"""The `harness` command: a thin click group that loads one module per command family lazily.

Exit codes (documented in the README):
  0  success
  1  a check ran and failed (schema drift, a coverage gap with --check)
  2  usage or input error (bad option, missing file, invalid fixture)
  3  internal error (a bug: rerun with HARNESS_DEBUG=1 for the traceback)
  4  a backend or model failed to produce a result (the error category is printed)
"""

from __future__ import annotations

import importlib
import os
import sys

import click

from harness import __version__

EXIT_OK, EXIT_FAILED, EXIT_INPUT, EXIT_INTERNAL, EXIT_BACKEND = 0, 1, 2, 3, 4

# name -> "module:attribute"; importing a family only when it is used keeps `--help` fast.
COMMANDS = {
    "audit": "harness.cli.analysis:audit",
    "brief": "harness.cli.brief:brief",
    "compare": "harness.cli.analysis:compare",
    "fixtures": "harness.cli.fixtures:fixtures",
    "gate": "harness.cli.analysis:gate",
    "prompts": "harness.cli.prompts:prompts",
    "report": "harness.cli.report:report",
    "run": "harness.cli.run:run",
    "runs": "harness.cli.run:runs",
    "schema": "harness.cli.schema:schema",
    "score": "harness.cli.run:score",
    "serve": "harness.cli.serve:serve",
    "show": "harness.cli.run:show",
    "store": "harness.cli.store:store",
    "tokens": "harness.cli.tokens:tokens",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = COMMANDS.get(name)
        if target is None:
            return None
        module, attribute = target.split(":")
        return getattr(importlib.import_module(module), attribute)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="harness")
def cli() -> None:
    """Evaluate and test prompts for AI handoff briefs (AgentAssistPortal)."""


def main() -> None:
    try:
        # Without standalone mode click returns the code of `Exit` instead of raising it.
        code = cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    except Exception as exc:  # the last line of defence: a traceback is a bug, not an interface
        if os.environ.get("HARNESS_DEBUG"):
            raise
        click.echo(
            f"internal error: {type(exc).__name__}: {exc} (rerun with HARNESS_DEBUG=1 for details)",
            err=True,
        )
        sys.exit(EXIT_INTERNAL)
    sys.exit(code if isinstance(code, int) else EXIT_OK)
