"""A supervised pool of warm LibreOffice processes, driven through unoserver.

A cold ``soffice --convert-to`` spends most of its time starting LibreOffice.
unoserver keeps one LibreOffice loaded behind an XML-RPC port, but it converts
one document at a time and has no supervision of its own: a document can hang
it, LibreOffice can crash, and memory grows over many conversions. So the pool
runs one unoserver per worker (default one per core), each in its own process
group with its own LibreOffice profile and ports on 127.0.0.1, and replaces a
worker after a timeout (killing its whole group), after a crash and after
``restart_after`` conversions. Callers wait in a bounded line; past it they
get :class:`~bridge.errors.ConverterBusyError` at once instead of piling up.

The server side needs the ``uno`` module, which Debian's python3-uno gives to
``/usr/bin/python3`` only, so it runs under that interpreter with unoserver
from this environment on ``PYTHONPATH``; the client side is plain XML-RPC.
Workers may also be remote ``host:port`` unoservers, which are only used,
never started or killed.
"""

from __future__ import annotations

import atexit
import http.client
import importlib.util
import logging
import math
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import xmlrpc.client
from pathlib import Path

from ..errors import (
    ConfigurationError,
    ConversionError,
    ConversionTimeoutError,
    ConverterBusyError,
    ConverterUnavailableError,
)
from .fonts import write_fontconfig
from .processes import end_group, free_ports

__all__ = ["UnoserverPool", "server_command", "server_environment", "uno_python"]

logger = logging.getLogger(__name__)

UNOSERVER_API = "3"
START_ATTEMPTS = 3


def _unoserver_path() -> str:
    """The folder holding the ``unoserver`` package, for the server's PYTHONPATH."""
    spec = importlib.util.find_spec("unoserver")
    if spec is None or spec.origin is None:
        raise ConverterUnavailableError("The unoserver package is not installed.")
    return str(Path(spec.origin).parent.parent)


def uno_python() -> str | None:
    """An interpreter that can run the unoserver server (imports ``uno``), if any."""
    env = {**os.environ, "PYTHONPATH": _unoserver_path()}
    for candidate in dict.fromkeys((sys.executable, "/usr/bin/python3")):
        if Path(candidate).exists() and (
            subprocess.run(
                [candidate, "-c", "import uno, unoserver.server"],
                env=env,
                capture_output=True,
                timeout=60,
                check=False,
            ).returncode
            == 0
        ):
            return candidate
    return None


def server_environment(folder: Path) -> dict[str, str]:
    """unoserver's environment: its package on PYTHONPATH, fonts.conf in ``folder``."""
    return {
        **os.environ,
        "PYTHONPATH": _unoserver_path(),
        "FONTCONFIG_FILE": str(write_fontconfig(folder)),
    }


def server_command(
    python: str,
    folder: Path,
    *,
    interface: str,
    port: int,
    uno_port: int,
    options: tuple[str, ...] = (),
) -> list[str]:
    """The command of a unoserver whose fresh profile is in ``folder``.

    unoserver runs through :mod:`hidden_unoserver` (documents opened hidden),
    as a script whose folder is kept off ``sys.path`` (``-P``). The old profile
    is removed first: a killed LibreOffice may leave a locked or half-written
    one, and unoserver's start-up pause hides its creation. LibreOffice's own
    UNO port stays on 127.0.0.1 whatever ``interface`` is.
    """
    for part in ("profile", "tmp"):
        shutil.rmtree(folder / part, ignore_errors=True)
    (folder / "tmp").mkdir(parents=True)
    return [
        python,
        "-P",
        str(Path(__file__).with_name("hidden_unoserver.py")),
        f"--interface={interface}",
        "--uno-interface=127.0.0.1",
        f"--port={port}",
        f"--uno-port={uno_port}",
        f"--user-installation={folder / 'profile'}",
        f"--temp-dir={folder / 'tmp'}",
        *options,
    ]


class _Transport(xmlrpc.client.Transport):
    """XML-RPC over HTTP with a socket timeout (the standard one has none)."""

    def __init__(self) -> None:
        super().__init__()
        self.timeout: float | None = None

    def make_connection(self, host):
        connection = super().make_connection(host)
        connection.timeout = self.timeout
        return connection


class _Worker:
    """One unoserver endpoint; remote ones are only probed, never managed."""

    local = False

    def __init__(self, name: str, host: str, port: int) -> None:
        self.name = name
        self.host = host
        self.port = port
        self.conversions = 0
        self.process: subprocess.Popen | None = None
        self._transport = _Transport()

    def spawn(self) -> None:
        """Nothing to start for a remote worker."""

    def stop(self) -> None:
        """Nothing to stop for a remote worker."""

    def alive(self) -> bool:
        return True

    def convert(self, docx: bytes, timeout: float) -> bytes:
        # convert(inpath, indata, outpath, convert_to, filtername, filter_options,
        # update_index, infiltername, password): bytes in, bytes out, no files.
        # No index update: our documents have no tables of contents, and the
        # two refreshes it makes cost a fifth of the conversion.
        result = self._proxy(timeout).convert(
            None, xmlrpc.client.Binary(docx), None, "pdf", None, [], False, None, None
        )
        return result.data

    def wait_ready(self, deadline: float) -> None:
        """Until ``info()`` answers: the port is bound before LibreOffice is up."""
        last_error: Exception | None = None
        while time.monotonic() < deadline and self.alive():
            try:
                info = self._proxy(min(5.0, deadline - time.monotonic())).info()
            except (OSError, http.client.HTTPException, xmlrpc.client.Error) as exc:
                last_error = exc
                time.sleep(0.1)
                continue
            if info.get("api") != UNOSERVER_API:
                raise ConverterUnavailableError(
                    f"unoserver at {self.host}:{self.port} speaks API {info.get('api')}"
                    f", not {UNOSERVER_API}."
                )
            return
        raise ConverterUnavailableError(
            f"unoserver {self.name} did not answer on {self.host}:{self.port}"
            f" ({self.exit_reason() or last_error or 'no answer'})."
        )

    def exit_reason(self) -> str | None:
        """Why the worker's process is gone, if it is (remote ones never are)."""
        return None

    def _proxy(self, timeout: float) -> xmlrpc.client.ServerProxy:
        self._transport.timeout = max(0.01, timeout)
        return xmlrpc.client.ServerProxy(
            f"http://{self.host}:{self.port}",
            transport=self._transport,
            allow_none=True,
        )


class _LocalWorker(_Worker):
    """A unoserver and its LibreOffice, started by the pool in their own group."""

    local = True

    def __init__(self, name: str, folder: Path, python: str, env: dict) -> None:
        super().__init__(name, "127.0.0.1", 0)
        self.folder = folder
        self._python = python
        self._env = env

    def spawn(self) -> None:
        self.port, uno_port = free_ports(2)
        self._transport = _Transport()
        command = server_command(
            self._python,
            self.folder,
            interface="127.0.0.1",
            port=self.port,
            uno_port=uno_port,
        )
        with (self.folder / "unoserver.log").open("wb") as log:
            self.process = subprocess.Popen(
                command,
                env=self._env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def stop(self) -> None:
        if self.process is not None:
            end_group(self.process)

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def exit_reason(self) -> str | None:
        if self.process is None or self.process.poll() is None:
            return None
        log = self.folder / "unoserver.log"
        return f"it exited with status {self.process.returncode}; see {log}"


class UnoserverPool:
    """Warm LibreOffice workers behind one thread-safe ``convert``.

    :param size: local workers (default: one per core); ignored with ``endpoints``.
    :param endpoints: ``host:port`` of running unoservers to use instead.
    :param timeout: seconds per conversion before the worker is killed; also the
        longest a caller waits for a free worker.
    :param queue_size: callers that may wait for a busy pool (default 2 × workers).
    :param restart_after: conversions after which a local worker is replaced.
    :param start_timeout: seconds a worker may take to answer after its start.
    :param folder: parent of the pool's own folder (profiles, logs, ``fonts.conf``).
    :param python: interpreter for the server (default: :func:`uno_python`).
    """

    def __init__(
        self,
        size: int | None = None,
        *,
        endpoints: list[str] | tuple[str, ...] = (),
        timeout: float = 30.0,
        queue_size: int | None = None,
        restart_after: int = 200,
        start_timeout: float = 60.0,
        folder: Path | None = None,
        python: str | None = None,
    ) -> None:
        self.timeout = timeout
        self.restart_after = restart_after
        self.start_timeout = start_timeout
        self._size = len(endpoints) or size or os.cpu_count() or 1
        self._endpoints = tuple(endpoints)
        self._parent = folder
        self._folder: Path | None = None
        self._python = python
        self.queue_size = 2 * self._size if queue_size is None else queue_size
        self._lock = threading.Condition()
        self._workers: list[_Worker] = []
        self._idle: list[_Worker] = []
        self._starting: set[_Worker] = set()
        self._errors: dict[_Worker, str] = {}
        self._waiting = 0
        self._seconds_per_document = 1.0
        self._closed = False

    def start(self) -> UnoserverPool:
        """Launch every worker in the background (idempotent); returns the pool."""
        with self._lock:
            if self._workers or self._closed:
                return self
            self._workers = self._make_workers()
            atexit.register(self.close)
            for worker in self._workers:
                self._launch(worker)
        return self

    def wait_until_ready(self, timeout: float | None = None) -> None:
        """Block until no worker is starting; raise if every one failed to start."""
        self.start()
        deadline = time.monotonic() + (timeout or self.start_timeout * START_ATTEMPTS)
        with self._lock:
            while self._starting and time.monotonic() < deadline:
                self._lock.wait(deadline - time.monotonic())
            if len(self._errors) == len(self._workers):
                raise self._unavailable()

    def convert(self, docx: bytes, *, timeout: float | None = None) -> bytes:
        """The PDF of ``docx``; LibreOffice gets at most ``timeout`` seconds."""
        limit = self.timeout if timeout is None else timeout
        try:
            return self._convert_on(self._acquire(), docx, limit)
        except _Refused:
            pass  # the job never reached LibreOffice: once more, on another worker
        try:
            return self._convert_on(self._acquire(), docx, limit)
        except _Refused as exc:
            raise ConverterUnavailableError(
                "LibreOffice workers refuse connections."
            ) from exc

    def status(self) -> dict[str, int]:
        """Counts of workers by state and of waiting callers (for health checks)."""
        with self._lock:
            return {
                "workers": len(self._workers),
                "idle": len(self._idle),
                "starting": len(self._starting),
                "failed": len(self._errors),
                "waiting": self._waiting,
            }

    def worker_pids(self) -> list[int]:
        """Process-group ids of the running local workers (for operators and tests)."""
        with self._lock:
            return [
                worker.process.pid
                for worker in self._workers
                if worker.process is not None and worker.alive()
            ]

    def endpoints(self) -> list[str]:
        """``host:port`` of every worker that is up."""
        with self._lock:
            return [
                f"{worker.host}:{worker.port}"
                for worker in self._workers
                if worker not in self._starting and worker not in self._errors
            ]

    def close(self) -> None:
        """Stop every local LibreOffice; the pool refuses work afterwards."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._idle.clear()
            self._lock.notify_all()
        atexit.unregister(self.close)
        for worker in self._workers:
            worker.stop()
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)

    def _make_workers(self) -> list[_Worker]:
        if self._endpoints:
            return [_Worker(e, *_host_port(e)) for e in self._endpoints]
        if self._parent is not None:
            self._parent.mkdir(parents=True, exist_ok=True)
        folder = Path(
            tempfile.mkdtemp(prefix="sealbridge-unoserver-", dir=self._parent)
        )
        self._folder = folder
        python = self._python or uno_python()
        if python is None:
            raise ConverterUnavailableError(
                "No Python can import uno (install python3-uno) to run unoserver."
            )
        env = server_environment(folder)
        return [
            _LocalWorker(f"worker-{index}", folder / f"worker-{index}", python, env)
            for index in range(self._size)
        ]

    def _launch(self, worker: _Worker) -> None:
        """(Re)start ``worker`` in a background thread; it then joins the idle list."""
        with self._lock:
            self._starting.add(worker)
            self._errors.pop(worker, None)
        threading.Thread(
            target=self._run_start,
            args=(worker,),
            name=f"unoserver-{worker.name}",
            daemon=True,
        ).start()

    def _run_start(self, worker: _Worker) -> None:
        worker.stop()
        error = "the pool is closed"
        for _ in range(START_ATTEMPTS):
            try:
                with self._lock:  # close() cannot miss a process spawned in here
                    if self._closed:
                        break
                    worker.spawn()
                worker.wait_ready(time.monotonic() + self.start_timeout)
            except (ConverterUnavailableError, OSError) as exc:
                worker.stop()
                error = getattr(exc, "message", f"{worker.name} cannot start: {exc}")
                logger.warning("%s", error)
                continue
            error = ""
            break
        with self._lock:
            self._starting.discard(worker)
            worker.conversions = 0
            if error:
                self._errors[worker] = error
            elif not self._closed:
                self._idle.append(worker)
                if worker.process is not None:
                    threading.Thread(
                        target=self._watch,
                        args=(worker, worker.process),
                        name=f"unoserver-{worker.name}-watch",
                        daemon=True,
                    ).start()
            self._lock.notify_all()

    def _watch(self, worker: _Worker, process: subprocess.Popen) -> None:
        """Restart a local worker whose process exits while it waits for work."""
        process.wait()
        with self._lock:
            if self._closed or worker.process is not process:
                return
            if worker in self._idle:
                self._idle.remove(worker)
                logger.warning(
                    "%s exited (status %s) while idle; restarting it",
                    worker.name,
                    process.returncode,
                )
                self._launch(worker)

    def _replace(self, worker: _Worker) -> None:
        """Kill ``worker`` now (hung, crashed or worn) and start it afresh."""
        worker.stop()
        if not self._closed:
            self._launch(worker)

    def _acquire(self) -> _Worker:
        self.start()
        deadline = time.monotonic() + self.timeout
        with self._lock:
            # Starting workers will each take a caller, so they lengthen the line.
            if not self._idle and self._waiting >= self.queue_size + len(
                self._starting
            ):
                raise self._busy()
            self._waiting += 1
            retried = False
            try:
                while True:
                    if self._closed:
                        raise ConverterUnavailableError("The converter pool is closed.")
                    while self._idle:
                        worker = self._idle.pop()
                        if worker.alive():
                            return worker
                        logger.warning("%s died while idle; restarting it", worker.name)
                        self._launch(worker)
                    if len(self._errors) == len(self._workers):  # all failed
                        if retried:
                            raise self._unavailable()
                        retried = True
                        for worker in list(self._errors):
                            self._launch(worker)  # the cause may be gone by now
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:  # busy only if some worker is converting
                        converting = len(self._workers) - len(self._idle)
                        converting -= len(self._starting) + len(self._errors)
                        raise self._busy() if converting else self._unavailable()
                    self._lock.wait(remaining)
            finally:
                self._waiting -= 1

    def _release(self, worker: _Worker) -> None:
        worker.conversions += 1
        if worker.local and worker.conversions >= self.restart_after:
            self._replace(worker)
            return
        with self._lock:
            if not self._closed:
                self._idle.append(worker)
                self._lock.notify()

    def _convert_on(self, worker: _Worker, docx: bytes, limit: float) -> bytes:
        started = time.monotonic()
        try:
            pdf = worker.convert(docx, limit)
        except TimeoutError as exc:
            self._replace(worker)
            raise ConversionTimeoutError(
                f"LibreOffice did not finish converting within {limit:g} s."
            ) from exc
        except ConnectionRefusedError as exc:
            self._replace(worker)
            raise _Refused() from exc
        except xmlrpc.client.Fault as exc:
            if worker.alive():
                self._release(worker)  # the document failed, not the worker
            else:
                self._replace(worker)
            last_line = exc.faultString.strip().splitlines()[-1]
            detail = last_line.split("'>:", 1)[-1][:200]  # "<class 'X'>:message"
            raise ConversionError(
                f"LibreOffice could not convert the document: {detail}"
            ) from exc
        except (OSError, http.client.HTTPException, xmlrpc.client.Error) as exc:
            self._replace(worker)
            raise ConversionError(
                f"LibreOffice crashed while converting the document ({exc})."
            ) from exc
        with self._lock:
            elapsed = time.monotonic() - started
            self._seconds_per_document += 0.2 * (elapsed - self._seconds_per_document)
        self._release(worker)
        return pdf

    def _busy(self) -> ConverterBusyError:
        per_worker = (self._waiting + 1) / self._size
        return ConverterBusyError(
            f"All {self._size} converters are busy and {self._waiting} requests "
            "wait; retry later.",
            retry_after=max(1, math.ceil(per_worker * self._seconds_per_document)),
        )

    def _unavailable(self) -> ConverterUnavailableError:
        reasons = sorted(set(self._errors.values()))
        reasons += sorted(f"{w.name} does not answer yet" for w in self._starting)
        return ConverterUnavailableError(
            "No LibreOffice converter is available: "
            + "; ".join(reasons or ["no worker is running"])
        )


class _Refused(Exception):
    """The worker's port refused the connection: it is gone, the job not sent."""


def _host_port(endpoint: str) -> tuple[str, int]:
    host, _, port = endpoint.strip().rpartition(":")
    if not host or not port.isdigit():
        raise ConfigurationError(
            f"CONVERSION_WORKERS takes host:port endpoints, not {endpoint!r}."
        )
    return host, int(port)
