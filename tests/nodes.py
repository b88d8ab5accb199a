"""Bridge nodes under gunicorn, as production runs them, for cluster tests and benches.

Each node is its own process group (gunicorn's master, its workers and their
LibreOffice workers), so it can be stopped cleanly or killed outright.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.wsgi_server import free_port

__all__ = ["BridgeNode"]


class BridgeNode:
    """``gunicorn -c python:bridge.gunicorn_config`` on a loopback port."""

    def __init__(
        self,
        home: Path,
        *,
        workers: int = 2,
        threads: int = 8,
        environment: dict[str, str] | None = None,
    ) -> None:
        self.home = home
        self.workers = workers
        self.threads = threads
        self.environment = environment or {}
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 90) -> BridgeNode:
        """Start and wait until ``/health`` answers 200."""
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                "python:bridge.gunicorn_config",
                "-w",
                str(self.workers),
                "--threads",
                str(self.threads),
                "-b",
                f"127.0.0.1:{self.port}",
                "--log-level",
                "warning",
            ],
            env={**os.environ, "SEALBRIDGE_HOME": str(self.home), **self.environment},
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the node exited with {self.process.returncode}")
            try:
                if requests.get(f"{self.url}/health", timeout=2).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.2)
        self.kill()
        raise RuntimeError(f"the node on port {self.port} did not come up")

    def _signal(self, number: int, wait: float) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, number)
        except ProcessLookupError:
            return
        self.process.wait(timeout=wait)

    def stop(self) -> None:
        """SIGTERM: workers finish their requests, LibreOffice is closed."""
        self._signal(signal.SIGTERM, 60)

    def kill(self) -> None:
        """SIGKILL to every process of the node: a crash, mid-request."""
        self._signal(signal.SIGKILL, 30)

    def __enter__(self) -> BridgeNode:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()
