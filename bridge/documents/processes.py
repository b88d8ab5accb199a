"""Child processes that can always be killed completely.

The ``soffice`` launcher hands over to ``soffice.bin`` (and unoserver starts
LibreOffice as its own child), so killing the direct child leaves LibreOffice
running. Every converter process is started in a new session, which makes it
the leader of its own process group, and is ended by signalling that group.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
from collections.abc import Mapping
from contextlib import ExitStack

from ..errors import ConversionTimeoutError

__all__ = ["end_group", "free_ports", "run_in_group"]


def free_ports(count: int) -> list[int]:
    """``count`` distinct TCP ports that are free on 127.0.0.1 right now."""
    with ExitStack() as stack:
        sockets = [
            stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
            for _ in range(count)
        ]
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]


def end_group(process: subprocess.Popen) -> None:
    """Kill the process group led by ``process`` and reap its leader.

    No SIGTERM first: nothing in a converter's group holds data worth saving
    (profiles are thrown away), and LibreOffice sometimes ignores SIGTERM.
    """
    if os.name == "nt":  # no process groups to signal; Word is docx2pdf's child
        process.kill()
        process.wait()
        return
    _signal_group(process.pid, signal.SIGKILL)
    process.wait()


def _signal_group(pgid: int, signum: int) -> None:
    try:
        os.killpg(pgid, signum)
    except ProcessLookupError:
        pass


def run_in_group(
    command: list[str],
    *,
    timeout: float,
    program: str,
    env: Mapping[str, str] | None = None,
) -> tuple[int, str]:
    """Run ``command`` in its own group; exit status and last output line.

    On timeout the whole group is killed and :class:`ConversionTimeoutError`
    names ``program``; afterwards nothing of the group is left either way.
    """
    with subprocess.Popen(
        command,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=os.name != "nt",
    ) as process:
        try:
            output, _ = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise ConversionTimeoutError(
                f"{program} did not finish converting within {timeout:g} s."
            ) from None
        finally:
            end_group(process)
    lines = output.decode(errors="replace").strip().splitlines()
    return process.returncode, lines[-1][:200] if lines else ""
