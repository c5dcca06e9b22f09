"""`harness serve`: the reference endpoint, served by uvicorn."""

from __future__ import annotations

import contextlib
import json
import os
import socket
from pathlib import Path

import click

from harness.cli.options import backend_options, load_prompt_or_fail, make_backend, model_settings
from harness.cli.store import STORE_OPTION, fail, open_store_or_fail

# How `--workers` hands the options to uvicorn's worker processes: they are spawned (not forked,
# so no DuckDB connection or event loop is copied) and build their own app from an import string.
WORKER_OPTIONS_ENV = "HARNESS_SERVE_OPTIONS"


@click.command()
@STORE_OPTION
@backend_options
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help="Port to listen on.")
@click.option(
    "--raw-transcript", is_flag=True, help="Do not mask card numbers, CVVs and SSNs in the transcript."
)
@click.option(
    "--workers",
    type=click.IntRange(1, 32),
    default=1,
    show_default=True,
    help="Server processes sharing the port, each with its own read-only store connection and backend. "
    "The rules brief is CPU work in the event loop, so one process uses one core: about one per core.",
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
    workers: int,
) -> None:
    """Serve GET /core/agent-assist/{phone_number} and the portal page from the store.

    The brief is built on every request with the chosen backend (never stored or cached); the
    store is opened read-only. Access logs show the method, the path with the number masked to
    its last four digits, and the status; never a token or a transcript."""
    import uvicorn

    open_store_or_fail(store_path, read_only=True).close()  # a clear line now, not a traceback at startup
    options = {
        "store_path": str(store_path), "backend": backend, "model": model, "base_url": base_url,
        "request_shape": request_shape, "prompt_ref": prompt_ref, "temperature": temperature, "seed": seed,
        "max_tokens": max_tokens, "timeout": timeout, "raw_transcript": raw_transcript,
    }
    app = _app(**options)  # also in the parent with --workers: bad options fail here, once, with one line
    _check_port_free(host, port)
    click.echo(
        f"serving briefs from {store_path} with the {backend} backend on http://{host}:{port}"
        + (f" ({workers} workers)" if workers > 1 else ""),
        err=True,
    )
    click.echo(f"portal: http://{host}:{port}/portal/agent-assist/<E.164 number>#token=<token>", err=True)
    if workers == 1:
        uvicorn.run(app, host=host, port=port, server_header=False, date_header=False)
        return
    from uvicorn.supervisors import Multiprocess

    os.environ[WORKER_OPTIONS_ENV] = json.dumps(options)  # no secret in it: API keys stay in their own variables
    config = uvicorn.Config(
        f"{__name__}:worker_app", factory=True, workers=workers, host=host, port=port,
        server_header=False, date_header=False,
    )
    # What uvicorn.run does for workers, plus TCP_NODELAY: uvicorn binds this socket with proto 0,
    # so asyncio skips TCP_NODELAY on accepted connections (it checks proto == IPPROTO_TCP); Linux
    # copies it from the listener instead. Without it a response sent as headers then body waits
    # for the client's delayed ACK: +40 ms a request (measured with one client).
    listener = config.bind_socket()
    listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl+C stops the workers; no traceback
        Multiprocess(config, sockets=[listener]).run()


def worker_app():
    """The app of one `--workers` process, from the options `serve` checked and passed down."""
    return _app(**json.loads(os.environ[WORKER_OPTIONS_ENV]))


def _app(
    store_path: str, backend: str, model, base_url, request_shape, prompt_ref, temperature, seed, max_tokens,
    timeout, raw_transcript: bool,
):
    from harness.brief import AssemblyOptions
    from harness.server.app import create_app

    prompt = load_prompt_or_fail(prompt_ref)
    chosen = make_backend(backend, model, base_url, request_shape, timeout)
    settings = model_settings(model, temperature, seed, max_tokens)
    assembly = AssemblyOptions(mask_transcript=not raw_transcript)
    return create_app(Path(store_path), lambda: chosen, prompt, settings=settings, assembly=assembly)


def _check_port_free(host: str, port: int) -> None:
    try:
        with socket.create_server((host, port)):
            pass
    except OSError as exc:
        fail(f"cannot listen on {host}:{port}: {exc.strerror}")
