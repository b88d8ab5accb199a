"""A WSGI app served on loopback by a real threaded HTTP server, for tests."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import waitress
from werkzeug.serving import make_server

from bridge.documents.processes import free_ports

__all__ = ["LoopbackServer", "free_port", "waitress_server"]


@contextmanager
def waitress_server(app, port: int = 0, threads: int = 4) -> Iterator[str]:
    """``app`` under waitress on loopback, as ``sealbridge serve`` runs it; its URL.

    poll(), not select(): closing the server while its loop waits then ends the
    loop quietly, where select() raised EBADF in the server's thread.
    """
    server = waitress.create_server(
        app, host="127.0.0.1", port=port, threads=threads, asyncore_use_poll=True
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        # urllib3 closes pooled connections only when their pool is collected (a
        # caught exception's traceback may hold one): collect, so waitress sees EOF.
        gc.collect()
        server.close()
        thread.join(timeout=5)


def free_port() -> int:
    """A port nobody listens on now, for servers that must know each other."""
    return free_ports(1)[0]


class LoopbackServer:
    """``start()`` serves ``app`` on 127.0.0.1; ``stop()`` and ``start()`` again
    reuse the same port, so a client configured once sees it go down and up."""

    def __init__(self, app, port: int = 0) -> None:
        self.app = app
        self.port = port
        self._server = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> LoopbackServer:
        self._server = make_server("127.0.0.1", self.port, self.app, threaded=True)
        self.port = self._server.server_port
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
