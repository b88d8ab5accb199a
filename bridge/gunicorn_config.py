"""gunicorn settings for production: ``gunicorn -c python:bridge.gunicorn_config``.

Each worker process runs the scheduler's timers, as ``sealbridge serve``
does: the outbox claims keep two workers from sending one message and the
other jobs run once per cluster (``bridge.scheduler``). Override any setting
on the command line (``-w 4 -b 0.0.0.0:8000``).
"""

from __future__ import annotations

wsgi_app = "bridge:create_app()"
worker_class = "gthread"
workers = 2
threads = 8
bind = "127.0.0.1:8000"


def post_worker_init(worker) -> None:
    from bridge.scheduler import start_scheduler

    worker.sealbridge_scheduler = start_scheduler(worker.wsgi)


def worker_exit(server, worker) -> None:
    scheduler = getattr(worker, "sealbridge_scheduler", None)
    if scheduler is not None:
        scheduler.shutdown(wait=False)
    if getattr(worker, "wsgi", None) is not None:
        worker.wsgi.extensions["sealbridge"].close()
