"""Options shared by the commands that generate briefs (brief, run, serve)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click


def backend_options(function: Callable) -> Callable:
    """--backend, --model, --base-url, --prompt, and the model settings that override the prompt's."""
    options = [
        click.option(
            "--backend",
            default="rules",
            show_default=True,
            help="rules (deterministic, offline), openai (any OpenAI-compatible server) or local "
            "(SmolLM2 on llama.cpp, needs the [local] extra).",
        ),
        click.option("--model", default=None, help="Model name for openai/local backends."),
        click.option(
            "--base-url",
            default=None,
            help="OpenAI-compatible server, e.g. http://127.0.0.1:8000/v1 (API key from OPENAI_API_KEY).",
        ),
        click.option(
            "--request-shape",
            type=click.Choice(["json_schema", "json_object"]),
            default=None,
            help="Structured-output request: json_schema (OpenAI, vLLM, Ollama) or json_object "
            "(llama.cpp server).",
        ),
        click.option(
            "--prompt",
            "prompt_ref",
            default="handoff-brief",
            show_default=True,
            help="Prompt id (optionally id@version) in prompts/, or a path to a .prompt file.",
        ),
        click.option("--temperature", type=float, default=None, help="Overrides the prompt's default."),
        click.option("--seed", type=int, default=None, help="Overrides the prompt's default."),
        click.option(
            "--max-tokens", type=click.IntRange(min=1), default=None, help="Overrides the prompt's default."
        ),
        click.option(
            "--timeout",
            type=click.FloatRange(min=0.1),
            default=None,
            help="Seconds per model request (openai/local).",
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def make_backend(
    backend: str, model: str | None, base_url: str | None, request_shape: str | None, timeout: float | None
):
    """The chosen backend, or a one-line usage error (exit 2) when it cannot be created."""
    from harness.backends import BackendError, create_backend

    options = {
        "model": model,
        "base_url": base_url,
        "request_shape": request_shape,
        "timeout_seconds": timeout,
    }
    given = {key: value for key, value in options.items() if value is not None}
    try:
        return create_backend(backend, **given)
    except BackendError as exc:
        raise click.UsageError(str(exc)) from None
    except TypeError as exc:
        raise click.UsageError(f"the {backend} backend does not take these options: {exc}") from None


def load_prompt_or_fail(reference: str):
    from harness.prompts import PromptError, find_prompt

    try:
        return find_prompt(reference)
    except PromptError as exc:
        raise click.UsageError(str(exc)) from None


def model_settings(model, temperature, seed, max_tokens):
    from harness.backends.base import ModelSettings

    return ModelSettings(model=model, temperature=temperature, seed=seed, max_tokens=max_tokens)


CACHE_PATH_OPTION = click.option(
    "--cache",
    "cache_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("reports/cache.sqlite"),
    show_default=True,
    help="Response cache file (model backends).",
)
