"""The finance API under gunicorn: create-and-send latency, status throughput.

In one run: a loan contract created from its template and sent (render,
convert with the warm LibreOffice pool, store, check keywords) — p50 and p95 —
against the same with a cold ``soffice`` per document (the baseline); then
``GET /api/v1/contracts/<id>`` from 8 concurrent clients. Targets on 2 cores:
p50 create ≤ 0.5 s, status ≥ 500 requests/s. Run: ``python -m bench.api``.
"""

from __future__ import annotations

import argparse
import http.client
import statistics
import tempfile
import threading
import time
from pathlib import Path
from secrets import token_urlsafe

from bridge import create_app
from bridge.documents.finance_templates import get_template
from bridge.services.apps import create_api_app
from bridge.services.pki import ensure_pki
from bridge.services.seals import create_seal
from examples.finance_client import FinanceClient, sign_request
from tests.nodes import BridgeNode

CLIENTS = 8


def _prepare(home: Path) -> tuple[str, str]:
    app = create_app({"HOME": str(home)})
    with app.app_context():
        ensure_pki()
        create_seal(company="重汽汽车金融有限公司", kind="contract")
        create_seal(company="济南重汽商用车销售服务有限公司", kind="contract")
        api_app, secret = create_api_app("经销商", "JN001")
        return api_app.app_key, secret


def _node(home: Path, converter: str, workers: int) -> BridgeNode:
    """The bridge under gunicorn with one LibreOffice worker per process."""
    return BridgeNode(
        home,
        workers=workers,
        environment={
            "SEALBRIDGE_CONVERTER": converter,
            "SEALBRIDGE_CONVERSION_POOL_SIZE": "1",
        },
    )


def _create_latencies(client: FinanceClient, count: int, tag: str) -> list[float]:
    params = get_template("loan_contract").schema["examples"][0]
    latencies = []
    for n in range(count):
        started = time.perf_counter()
        client.post(
            "/api/v1/contracts",
            json={
                "bizId": f"{tag}-{n}",
                "template": "loan_contract",
                "parameters": params,
                "send": True,
            },
        )
        latencies.append(time.perf_counter() - started)
    return latencies


def _signed_gets(key: str, secret: str, path: str, count: int) -> list[dict]:
    """Headers for ``count`` GETs, signed ahead so the clients spend no CPU on it."""
    timestamp = int(time.time())
    headers = []
    for _ in range(count):
        nonce = token_urlsafe(18)
        headers.append(
            {
                "X-SB-App-Key": key,
                "X-SB-Timestamp": str(timestamp),
                "X-SB-Nonce": nonce,
                "X-SB-Signature": sign_request(
                    secret, "GET", path, timestamp, nonce, b""
                ),
            }
        )
    return headers


def _status_rate(
    base: str, key: str, secret: str, contract_id: str, seconds: float
) -> float:
    """GETs per second from CLIENTS keep-alive connections, each request 200."""
    path = f"/api/v1/contracts/{contract_id}"
    host, port = base.removeprefix("http://").split(":")
    budgets = [
        _signed_gets(key, secret, path, int(seconds * 400)) for _ in range(CLIENTS)
    ]
    done = [0] * CLIENTS
    stop = time.monotonic() + seconds

    def run(slot: int) -> None:
        connection = http.client.HTTPConnection(host, int(port), timeout=30)
        for headers in budgets[slot]:
            if time.monotonic() >= stop:
                break
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"GET {path} answered {response.status}")
            done[slot] += 1
        connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(CLIENTS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done) / (time.perf_counter() - started)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=30)
    parser.add_argument("--cold-count", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder)
        key, secret = _prepare(home)
        with _node(home, "unoserver", args.workers) as node:
            with FinanceClient(node.url, key, secret) as client:
                _create_latencies(client, 3 * args.workers, "warmup")  # start the pools
                warm = _create_latencies(client, args.count, "warm")
                contract_id = client.get("/api/v1/contracts")["items"][0]["id"]
            rate = _status_rate(node.url, key, secret, contract_id, args.seconds)
        with _node(home, "soffice", args.workers) as node:
            with FinanceClient(node.url, key, secret) as client:
                cold = _create_latencies(client, args.cold_count, "cold")
    p50, p95 = statistics.median(warm), _percentile(warm, 0.95)
    cold_p50 = statistics.median(cold)
    print(
        f"create + send, warm pool: p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms "
        f"({args.count} contracts)"
    )
    print(f"create + send, cold soffice: p50 {cold_p50 * 1000:.0f} ms")
    print(f"GET status, {CLIENTS} clients: {rate:.0f} requests/s")
    print(
        f"create_p50_s={p50:.3f} create_p95_s={p95:.3f} "
        f"cold_create_p50_s={cold_p50:.3f} status_rps={rate:.0f} "
        f"ratio={cold_p50 / p50:.2f}"
    )


if __name__ == "__main__":
    main()
