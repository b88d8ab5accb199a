"""A real HTTP server on loopback that receives webhooks and checks their HMAC."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from bridge.outbox.webhooks import verify_webhook

__all__ = ["Delivery", "WebhookReceiver", "refused_url"]


@dataclass
class Delivery:
    path: str
    headers: dict[str, str]
    body: bytes
    verified: bool


@dataclass
class WebhookReceiver:
    """Records every POST; answers ``status`` (e.g. 500), after ``delay`` seconds.

    ``secrets`` are the receiver's webhook secrets: each delivery records
    whether its signature verified with them.
    """

    secrets: list[str] = field(default_factory=list)
    status: int = 200
    delay: float = 0.0
    deliveries: list[Delivery] = field(default_factory=list)

    def __post_init__(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                time.sleep(receiver.delay)
                headers = dict(self.headers.items())
                with receiver._lock:
                    receiver.deliveries.append(
                        Delivery(
                            self.path,
                            headers,
                            body,
                            verify_webhook(headers, body, receiver.secrets),
                        )
                    )
                self.send_response(receiver.status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/hooks/sealbridge"

    def event_ids(self) -> list[str]:
        return [d.headers["X-SB-Event-Id"] for d in self.deliveries]

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def refused_url() -> str:
    """A loopback URL where nothing listens: connections are refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/hooks/sealbridge"
