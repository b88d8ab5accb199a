"""One unoserver on a fixed port for bridges elsewhere (their ``CONVERSION_WORKERS``).

A bridge never starts or kills a remote worker, so the worker looks after
itself: unoserver's ``--conversion-timeout`` and ``--stop-after`` make it exit
after a hung conversion or its conversion budget, a crash ends it too, and this
loop starts it again with a fresh profile on the same port. The bridges see a
port that stops answering for a few seconds and probe it until it answers.
"""

from __future__ import annotations

import logging
import math
import subprocess
import time
from pathlib import Path

from ..errors import ConverterUnavailableError
from .processes import end_group
from .unoserver_pool import server_command, server_environment, uno_python

__all__ = ["run_worker"]

logger = logging.getLogger(__name__)

RESTART_PAUSE_SECONDS = 1.0
"""Between two starts, so a worker that cannot start does not spin."""


def run_worker(
    folder: Path,
    *,
    interface: str,
    port: int,
    uno_port: int,
    timeout: float,
    restart_after: int,
) -> None:
    """Serve conversions until interrupted (SIGINT, or SIGTERM made SystemExit)."""
    python = uno_python()
    if python is None:
        raise ConverterUnavailableError(
            "No Python can import uno (install python3-uno) to run unoserver."
        )
    folder.mkdir(parents=True, exist_ok=True)
    env = server_environment(folder)
    options = (
        f"--conversion-timeout={math.ceil(timeout)}",
        f"--stop-after={restart_after}",
    )
    while True:
        command = server_command(
            python,
            folder,
            interface=interface,
            port=port,
            uno_port=uno_port,
            options=options,
        )
        process = subprocess.Popen(
            command, env=env, stdin=subprocess.DEVNULL, start_new_session=True
        )
        logger.info(
            "unoserver listening on %s:%d (pid %d)", interface, port, process.pid
        )
        try:
            status = process.wait()
        finally:
            end_group(process)  # LibreOffice too, on every way out
        logger.warning("unoserver exited with status %s; starting it again", status)
        time.sleep(RESTART_PAUSE_SECONDS)
