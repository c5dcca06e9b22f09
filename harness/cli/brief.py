"""`harness brief`: one conversation in, the assembled AgentAssistPortal out (JSON)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import click

from harness.cli import EXIT_BACKEND
from harness.cli.options import (
    CACHE_PATH_OPTION,
    backend_options,
    load_prompt_or_fail,
    make_backend,
    model_settings,
)


@click.command()
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@backend_options
@click.option(
    "--repeat",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Repeat index: a different index is an independent sample (and cache entry).",
)
@click.option("--no-cache", is_flag=True, help="Always call the model.")
@CACHE_PATH_OPTION
@click.option(
    "--raw-transcript", is_flag=True, help="Do not mask card numbers, CVVs and SSNs in the transcript."
)
def brief(
    path: Path,
    backend: str,
    model,
    base_url,
    request_shape,
    prompt_ref,
    temperature,
    seed,
    max_tokens,
    timeout,
    repeat: int,
    no_cache: bool,
    cache_path: Path,
    raw_transcript: bool,
) -> None:
    """Print the brief for PATH, a fixture file or a conversation record (JSON).

    Assembly notes (dropped markers, masked secrets) go to stderr. Exit 4 when the backend
    produced no draft; the error category and message are printed."""
    from harness.brief import AssemblyOptions, build_brief

    conversation = _read_conversation(path)
    prompt = load_prompt_or_fail(prompt_ref)
    chosen = make_backend(backend, model, base_url, request_shape, timeout)
    if backend != "rules" and not no_cache:
        from harness.backends.cache import CachedBackend, ResponseCache

        chosen = CachedBackend(chosen, ResponseCache(cache_path))
    settings = model_settings(model, temperature, seed, max_tokens)

    async def generate():
        try:
            return await build_brief(
                conversation,
                chosen,
                prompt,
                settings,
                repeat,
                AssemblyOptions(mask_transcript=not raw_transcript),
            )
        finally:
            await chosen.aclose()

    result = asyncio.run(generate())
    for note in result.notes:
        click.echo(f"note: {note.kind}: {note.detail}", err=True)
    if result.portal is None:
        error = result.generation.error
        click.echo(f"error: {error.category}: {error.message}" if error else "error: no draft", err=True)
        raise click.exceptions.Exit(EXIT_BACKEND)
    click.echo(json.dumps(result.portal.model_dump(mode="json"), indent=2, ensure_ascii=False))


def _read_conversation(path: Path):
    """A fixture's conversation or a bare conversation record, with one clear line when neither."""
    from pydantic import ValidationError

    from harness.conversations import ConversationRecord
    from harness.fixtures.problems import problems_from_validation_error

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise click.BadParameter(f"{path} is not JSON: {exc}", param_hint="PATH") from None
    if isinstance(data, dict) and "conversation" in data:
        data = data["conversation"]
        prefix = ("conversation",)
    else:
        prefix = ()
    if not isinstance(data, dict):
        raise click.BadParameter(
            f"{path}: expected a fixture or a conversation record object", param_hint="PATH"
        )
    try:
        return ConversationRecord.model_validate(data)
    except ValidationError as exc:
        problems = problems_from_validation_error(str(path), exc, ConversationRecord, prefix)
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise click.BadParameter(f"{problems[0]}{more}", param_hint="PATH") from None
