"""Documents per second: the warm unoserver pool against a cold soffice per document.

Five Chinese notices of 1, 2, 3, 5 and 7 pages (title, headings, a table,
body in 仿宋_GB2312) are converted, in the same run:

- ``warm``: one warm worker, one document at a time (per-document speed);
- ``one_worker`` / ``two_workers``: one and two warm workers, the documents
  submitted concurrently from threads (throughput and its scaling);
- ``cold``: ``soffice --headless --convert-to pdf`` with a fresh profile per
  document, one at a time (the baseline of ``warm``).

Worker start-up is not measured (it happens once per process); each pool
converts every document once before timing. Run:
``.venv/bin/python -m bench.convert``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bridge.documents.conversion import ColdSofficeConverter, Converter, UnoserverPool
from tests.docx_files import chinese_docx

PAGES = (1, 2, 3, 5, 7)
THREADS = 4


def _rate(converter: Converter, documents: list[bytes], threads: int) -> float:
    """Documents per second over ``documents``, ``threads`` submitting at once."""
    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as executor:
        for pdf in executor.map(converter.convert, documents):
            assert pdf.startswith(b"%PDF-")
    return len(documents) / (time.perf_counter() - started)


def _warm_pool(workers: int, folder: Path, documents: list[bytes]) -> UnoserverPool:
    pool = UnoserverPool(workers, queue_size=4 * THREADS, folder=folder)
    pool.wait_until_ready()
    _rate(pool, documents, workers)  # first conversions load filters and fonts
    return pool


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=6, help="passes, warm pools")
    parser.add_argument("--cold-rounds", type=int, default=1, help="passes, cold")
    args = parser.parse_args()

    documents = [chinese_docx(pages) for pages in PAGES]
    warm_set = documents * args.rounds
    with tempfile.TemporaryDirectory() as folder:
        pool = _warm_pool(1, Path(folder), documents)
        try:
            warm = _rate(pool, warm_set, 1)
            one = _rate(pool, warm_set, THREADS)
        finally:
            pool.close()
        pool = _warm_pool(2, Path(folder), documents)
        try:
            two = _rate(pool, warm_set, THREADS)
        finally:
            pool.close()
        cold = _rate(
            ColdSofficeConverter(folder=Path(folder)),
            documents * args.cold_rounds,
            1,
        )

    for label, rate in (
        ("warm, 1 worker, sequential", warm),
        (f"warm, 1 worker, {THREADS} threads", one),
        (f"warm, 2 workers, {THREADS} threads", two),
        ("cold soffice, sequential", cold),
    ):
        print(f"{label:<32} {rate:6.2f} docs/s ({1000 / rate:6.0f} ms per document)")
    print(
        f"warm_docs_per_s={warm:.2f} cold_docs_per_s={cold:.2f} "
        f"two_workers_docs_per_s={two:.2f} one_worker_docs_per_s={one:.2f} "
        f"ratio={warm / cold:.2f} scaling={two / one:.2f}"
    )


if __name__ == "__main__":
    main()
