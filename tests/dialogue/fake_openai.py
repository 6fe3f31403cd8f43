"""A real HTTP server speaking OpenAI's chat-completions protocol, for tests of the LLM layer."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

# What the server answers: content text, an HTTP status (simulated failure), or raw bytes sent as
# the body with 200 (a malformed answer); or a function of the request body returning one of those.
Answer = str | int | bytes
Responder = Answer | Callable[[dict[str, Any]], Answer]


@dataclass
class RecordedRequest:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass
class FakeOpenAI:
    base_url: str
    requests: list[RecordedRequest] = field(default_factory=list)
    responder: Responder = "ok"
    delay: float = 0.0  # seconds to wait before answering, to trigger client timeouts

    def answer(self, body: dict[str, Any]) -> Answer:
        return self.responder(body) if callable(self.responder) else self.responder


def _handler(fake: FakeOpenAI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            try:
                body = json.loads(raw)
            except ValueError:
                body = {}
            fake.requests.append(RecordedRequest(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
            if self.path != "/v1/chat/completions":
                self._send(404, b'{"error": {"message": "not found"}}')
                return
            if fake.delay:
                time.sleep(fake.delay)
            answer = fake.answer(body)
            if isinstance(answer, int):
                self._send(answer, b'{"error": {"message": "simulated failure", "type": "server_error"}}')
            elif isinstance(answer, bytes):
                self._send(200, answer)
            else:
                self._send(200, json.dumps(_completion(body, answer)).encode())

        def _send(self, status: int, payload: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            try:
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout tests)
                pass

        def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
            pass

    return Handler


def _completion(body: dict[str, Any], content: str) -> dict[str, Any]:
    prompt = sum(len(str(m.get("content", ""))) for m in body.get("messages", []))
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model", ""),
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
        ],
        "usage": {"prompt_tokens": prompt, "completion_tokens": len(content), "total_tokens": prompt + len(content)},
    }


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAI]:
    """A fake OpenAI-compatible server on a free loopback port; set `.responder` to script it."""
    fake = FakeOpenAI(base_url="")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    server.daemon_threads = True  # a request still sleeping after a timeout test must not block teardown
    fake.base_url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=2)
