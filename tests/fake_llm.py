"""A local OpenAI-compatible chat-completions server that returns scripted replies: the one
stand-in the co-pilot's tests use (a model endpoint is outside the machine).

Each reply is a text (answered with status 200, whole or streamed as server-sent events as
the request asks) or an HTTP status to fail with. Requests are kept for the tests to read.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PORTS = range(27800, 27900)
"""The ports this helper's fake servers may take."""


@dataclass
class Script:
    """The replies still to give, and the requests received."""

    replies: list[str | int] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)

    def next_reply(self) -> str | int:
        return self.replies.pop(0) if self.replies else "NO_ANSWER"


class _Handler(BaseHTTPRequestHandler):
    script: Script

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the tests read `Script.requests` instead."""

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.script.requests.append(body)
        self.script.headers.append(dict(self.headers))
        reply = self.script.next_reply()
        if isinstance(reply, int):
            self.send_response(reply)
            self.end_headers()
            return
        usage = {"prompt_tokens": 100, "completion_tokens": len(reply.split())}
        if body.get("stream"):
            self._stream(reply, usage)
            return
        payload = json.dumps(
            {"choices": [{"message": {"role": "assistant", "content": reply}}], "usage": usage}
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _stream(self, reply: str, usage: dict[str, int]) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        pieces = [reply[i : i + 8] for i in range(0, len(reply), 8)]
        for piece in pieces:
            chunk = {"choices": [{"delta": {"content": piece}}]}
            self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
        final = {"choices": [], "usage": usage}
        self.wfile.write(f"data: {json.dumps(final)}\n\ndata: [DONE]\n\n".encode())


def _free_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise RuntimeError("no free port in 27800-27899 for the fake model server")


@contextmanager
def fake_llm(script: Script) -> Iterator[str]:
    """Serve `script` on 127.0.0.1; yields the base URL (`http://127.0.0.1:PORT/v1`)."""
    handler = type("Handler", (_Handler,), {"script": script})
    server = ThreadingHTTPServer(("127.0.0.1", _free_port()), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/v1"
    finally:
        server.shutdown()
        server.server_close()
