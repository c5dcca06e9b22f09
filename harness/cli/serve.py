"""`harness serve`: the reference endpoint, served by uvicorn."""

from __future__ import annotations

import socket
from pathlib import Path

import click

from harness.cli.options import backend_options, load_prompt_or_fail, make_backend, model_settings
from harness.cli.store import STORE_OPTION, fail, open_store_or_fail


@click.command()
@STORE_OPTION
@backend_options
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help="Port to listen on.")
@click.option(
    "--raw-transcript", is_flag=True, help="Do not mask card numbers, CVVs and SSNs in the transcript."
)
def serve(
    store_path: Path,
    backend: str,
    model,
    base_url,
    request_shape,
    prompt_ref,
    temperature,
    seed,
    max_tokens,
    timeout,
    host: str,
    port: int,
    raw_transcript: bool,
) -> None:
    """Serve GET /core/agent-assist/{phone_number} and the portal page from the store.

    The brief is built on every request with the chosen backend (never stored or cached); the
    store is opened read-only. Access logs show the method, the path with the number masked to
    its last four digits, and the status; never a token or a transcript."""
    import uvicorn

    from harness.brief import AssemblyOptions
    from harness.server.app import create_app

    open_store_or_fail(store_path, read_only=True).close()  # a clear line now, not a traceback at startup
    prompt = load_prompt_or_fail(prompt_ref)
    chosen = make_backend(backend, model, base_url, request_shape, timeout)
    settings = model_settings(model, temperature, seed, max_tokens)
    assembly = AssemblyOptions(mask_transcript=not raw_transcript)
    _check_port_free(host, port)
    click.echo(f"serving briefs from {store_path} with the {backend} backend on http://{host}:{port}", err=True)
    click.echo(f"portal: http://{host}:{port}/portal/agent-assist/<E.164 number>#token=<token>", err=True)
    app = create_app(store_path, lambda: chosen, prompt, settings=settings, assembly=assembly)
    uvicorn.run(app, host=host, port=port, server_header=False, date_header=False)


def _check_port_free(host: str, port: int) -> None:
    try:
        with socket.create_server((host, port)):
            pass
    except OSError as exc:
        fail(f"cannot listen on {host}:{port}: {exc.strerror}")
