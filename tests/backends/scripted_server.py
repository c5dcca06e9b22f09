"""A real OpenAI-compatible HTTP server on loopback that answers from a script.

Each `POST /v1/chat/completions` takes the next scripted `Reply` (status, headers, JSON body,
delay) and records the request body, so a test can check both what the backend sent and how it
reacted. Running out of replies answers 599, which no test expects, so a surplus request shows.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CHAT_PATH = "/v1/chat/completions"


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: dict | str = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    delay_seconds: float = 0.0


def completion_body(
    content: str | None,
    *,
    finish_reason: str = "stop",
    refusal: str | None = None,
    prompt_tokens: int = 1000,
    completion_tokens: int = 250,
    model: str = "gpt-4o-mini-2024-07-18",
) -> dict:
    """A chat completion as OpenAI returns it, with one choice."""
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 1_790_000_000,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content, "refusal": refusal},
                "finish_reason": finish_reason,
                "logprobs": None,
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


def error_body(message: str, error_type: str = "invalid_request_error") -> dict:
    return {"error": {"message": message, "type": error_type, "param": None, "code": None}}


class _LoopbackServer(ThreadingHTTPServer):
    # The default listen backlog of 5 refuses connections when 32 clients arrive at once.
    request_queue_size = 256


class ScriptedServer:
    def __init__(self) -> None:
        self.connections = 0  # TCP connections accepted: keep-alive reuse shows as few of them
        self._bodies: list[bytes] = []
        self._replies: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._http = _LoopbackServer(("127.0.0.1", 0), _handler_for(self))
        # A client that timed out must not keep the test waiting for the delayed handler.
        self._http.daemon_threads = True
        # A short poll interval makes `stop` quick: shutdown waits for the serving loop to notice.
        self._thread = threading.Thread(target=self._http.serve_forever, args=(0.02,), daemon=True)

    @property
    def requests(self) -> list[dict]:
        """The request bodies so far, oldest first. Parsed when asked for, not while serving: the
        benchmark's server should spend its CPU on answering, as a real one would."""
        with self._lock:
            bodies = list(self._bodies)
        return [json.loads(body) for body in bodies]

    @property
    def base_url(self) -> str:
        host, port = self._http.server_address[:2]
        return f"http://{host}:{port}/v1"

    def script(self, *replies: Reply) -> None:
        with self._lock:
            self._replies.extend(replies)

    def start(self) -> ScriptedServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._http.shutdown()
        self._http.server_close()

    def _connected(self) -> None:
        with self._lock:
            self.connections += 1

    def _next_reply(self, request_body: bytes) -> Reply:
        with self._lock:
            self._bodies.append(request_body)
            if not self._replies:
                return Reply(599, {"error": {"message": "no scripted reply left"}})
            return self._replies.popleft()


def _handler_for(server: ScriptedServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        # Keep-alive, as real model servers do: a new connection per request would measure
        # connection set-up instead of the client.
        protocol_version = "HTTP/1.1"
        # TCP_NODELAY, as real model servers set it (uvicorn, llama.cpp's server, Go's net/http):
        # a reply goes out as two writes (headers, then body), and with Nagle's algorithm the
        # body waits for the client's delayed ACK of the headers, ~40 ms on every reply.
        disable_nagle_algorithm = True

        def setup(self) -> None:
            super().setup()
            server._connected()

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            payload = self.rfile.read(length)
            if self.path != CHAT_PATH:
                self._send(Reply(404, {"error": {"message": f"no route {self.path}"}}))
                return
            reply = server._next_reply(payload)
            time.sleep(reply.delay_seconds)
            self._send(reply)

        def _send(self, reply: Reply) -> None:
            data = reply.body if isinstance(reply.body, str) else json.dumps(reply.body)
            encoded = data.encode()
            try:
                self.send_response(reply.status)
                self.send_header("Content-Length", str(len(encoded)))
                for name, value in ({"Content-Type": "application/json"} | reply.headers).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(encoded)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test); nothing is waiting for this reply

        def log_message(self, format: str, *args) -> None:  # keep test output clean
            pass

    return Handler
