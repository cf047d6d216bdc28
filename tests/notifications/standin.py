"""A stand-in for a provider's API on 127.0.0.1: it keeps every request it is sent and answers
with what the test set, as the provider would (or slowly, to be timed out)."""

from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Received:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body)


@dataclass
class Answer:
    status: int = 200
    body: bytes = b"{}"
    content_type: str = "application/json"
    delay: float = 0.0


@dataclass
class StandIn:
    server: ThreadingHTTPServer
    received: list[Received] = field(default_factory=list)
    answer: Answer = field(default_factory=Answer)

    @property
    def endpoint(self) -> str:
        host, port = self.server.server_address[:2]
        return f"{host}:{port}"

    def answer_json(self, payload, status: int = 200) -> None:
        self.answer = Answer(status, json.dumps(payload, ensure_ascii=False).encode())


class _Handler(BaseHTTPRequestHandler):
    standin: StandIn

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        url = urlsplit(self.path)
        self.standin.received.append(
            Received(
                method="POST",
                path=url.path,
                query={k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()},
                headers={k.lower(): v for k, v in self.headers.items()},
                body=body,
            )
        )
        answer = self.standin.answer
        if answer.delay:
            time.sleep(answer.delay)
        try:
            self.send_response(answer.status)
            self.send_header("Content-Type", answer.content_type)
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            self.wfile.write(answer.body)
        except OSError:
            pass  # the client gave up waiting

    def log_message(self, format, *args) -> None:
        pass


def standin_start() -> StandIn:
    handler = type("Handler", (_Handler,), {})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    standin = StandIn(server)
    handler.standin = standin
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return standin


def standin_stop(standin: StandIn) -> None:
    standin.server.shutdown()
    standin.server.server_close()


def port_with_nothing_listening() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
