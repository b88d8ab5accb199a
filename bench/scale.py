"""Throughput of one and of two bridge nodes sharing one PostgreSQL.

A contract here is what a dealer store sends most: an uploaded one-page PDF
for a borrower, then the finance company's silent seal. Creating means
upload, keyword check and storage; signing means the borrower's signature
(event certificate, PAdES), the finance company's seal, and the archive
timestamp that completes the contract. Each phase runs with CLIENTS
concurrent clients; with two nodes they alternate between the nodes. Each
node is gunicorn with two workers, as production runs it.
Run: ``python -m bench.scale``.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

from bridge.config import INSTANCE_FILE
from bridge.services import pki
from bridge.services.seals import create_seal
from examples.finance_client import FinanceClient
from tests.instances import app_context_of
from tests.nodes import BridgeNode
from tests.parties import BORROWER, LENDER
from tests.pdfs import chinese_pdf
from tests.postgres import PostgresServer, postgres_binaries
from tests.signed_client import new_api_app

CLIENTS = 8
PARTIES = [BORROWER, LENDER]


def _instance(server: PostgresServer, folder: Path) -> tuple[Path, str, str]:
    home = folder / "instance"
    home.mkdir()
    url = server.create_database(f"scale_{uuid.uuid4().hex[:8]}")
    (home / INSTANCE_FILE).write_text(f'DATABASE_URL = "{url}"\n')
    with app_context_of(home) as app:
        pki.ensure_pki()
        create_seal(company="重汽汽车金融有限公司", kind="contract")
        key, secret, _ = new_api_app(app)
    return home, key, secret


def _run(urls: list[str], key: str, secret: str, count: int) -> tuple[float, float]:
    """Contracts created per second, then signed to completion per second."""
    pdf = chinese_pdf(1)

    def create(n: int) -> dict:
        meta = {
            "bizId": uuid.uuid4().hex,
            "subject": f"借款合同 {n}",
            "category": "loan_contract",
            "signatories": PARTIES,
            "send": True,
        }
        with FinanceClient(urls[n % len(urls)], key, secret, timeout=120) as client:
            files = {
                "meta": (None, json.dumps(meta, ensure_ascii=False)),
                "file": ("loan.pdf", pdf, "application/pdf"),
            }
            return client.post("/api/v1/contracts", files=files)

    def sign(n_contract: tuple[int, dict]) -> str:
        n, contract = n_contract
        borrower = contract["signatories"][0]["id"]
        with FinanceClient(urls[n % len(urls)], key, secret, timeout=120) as client:
            return client.post(
                f"/api/v1/contracts/{contract['id']}/signatories/{borrower}/sign"
            )["status"]

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        started = time.perf_counter()
        made = list(pool.map(create, range(count)))
        created = count / (time.perf_counter() - started)
        started = time.perf_counter()
        statuses = list(pool.map(sign, enumerate(made)))
        signed = count / (time.perf_counter() - started)
    if set(statuses) != {"COMPLETE"}:
        raise RuntimeError(f"not every contract completed: {set(statuses)}")
    return created, signed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=120, help="contracts per run")
    args = parser.parse_args()
    binaries = postgres_binaries()
    if binaries is None:
        raise SystemExit("PostgreSQL is not installed (bin/dev installs it)")
    server = PostgresServer(binaries)
    server.start()
    try:
        with tempfile.TemporaryDirectory() as folder:
            home, key, secret = _instance(server, Path(folder))
            results = {}
            for nodes in (1, 2):
                with ExitStack() as stack:
                    urls = [
                        stack.enter_context(BridgeNode(home, workers=2)).url
                        for _ in range(nodes)
                    ]
                    _run(urls, key, secret, CLIENTS)  # warm keys and caches
                    results[nodes] = _run(urls, key, secret, args.count)
    finally:
        server.destroy()
    for nodes, (created, signed) in results.items():
        print(
            f"{nodes} node(s): {created:.1f} contracts created/s, "
            f"{signed:.1f} signed to completion/s ({args.count} contracts, "
            f"{CLIENTS} clients)"
        )
    (one_created, one_signed), (two_created, two_signed) = results[1], results[2]
    print(
        f"one_node_create_per_s={one_created:.1f} one_node_sign_per_s={one_signed:.1f} "
        f"two_nodes_create_per_s={two_created:.1f} "
        f"two_nodes_sign_per_s={two_signed:.1f} ratio={two_signed / one_signed:.2f}"
    )


if __name__ == "__main__":
    main()
