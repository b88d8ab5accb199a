"""Archive search on 100,000 archived contracts: p50 and p95 of typical searches.

Seeds a fresh instance (SQLite, or ``SEALBRIDGE_DATABASE_URL``) by bulk insert
with contracts and their archive records — 50 dealer stores, three years — then
runs typical searches through ``search_archive`` (the count and the first page,
as ``GET /api/v1/archive`` does): by ID number (keyed hash), contract number,
borrower name, a dealer's month, and head office's category + status + quarter.
The baseline is the same searches after dropping the archive's indexes.
Target: p95 ≤ 100 ms. Run: ``python -m bench.archive [--records N]``.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import insert, text

from bridge import create_app
from bridge.extensions import db
from bridge.models import ArchiveRecord, Contract
from bridge.services.apps import create_api_app
from bridge.services.archive import ArchiveQuery, search_archive
from bridge.services.identities import id_number_digest

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红玉兰"
CATEGORIES = [
    "loan_contract",
    "lease_contract",
    "guarantee_letter",
    "credit_authorization",
]
STORES = [f"S{n:03d}" for n in range(1, 51)]
START = datetime(2024, 1, 1, tzinfo=UTC)
DAYS = 3 * 365
BATCH = 10_000


def _person(rng: random.Random, n: int) -> tuple[str, str]:
    name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))
    return name, f"3701{n:014d}"


def seed(records: int, rng: random.Random) -> list[dict]:
    """Insert ``records`` contracts with archive records; return a sample of rows."""
    app, _ = create_api_app("bench", "*", head_office=True)
    sample = []
    for start in range(0, records, BATCH):
        contracts, archived = [], []
        for n in range(start, min(records, start + BATCH)):
            name, id_number = _person(rng, n)
            completed = START + timedelta(seconds=rng.randrange(DAYS * 86400))
            row = {
                "id": f"{n:032x}",
                "number": f"LOAN-{n:08d}",
                "tenant": rng.choice(STORES),
                "category": rng.choice(CATEGORIES),
                "status": "INVALIDATED" if rng.random() < 0.05 else "COMPLETE",
                "name": name,
                "id_hash": id_number_digest(id_number),
                "id_number": id_number,
                "completed": completed,
            }
            contracts.append(
                {
                    "id": row["id"],
                    "app_id": app.id,
                    "tenant": row["tenant"],
                    "biz_id": row["number"],
                    "request_hash": "0" * 64,
                    "subject": "个人汽车消费借款合同",
                    "category": row["category"],
                    "status": row["status"],
                    "borrower_name": name,
                    "borrower_id_hash": row["id_hash"],
                    "created_at": completed - timedelta(days=2),
                    "completed_at": completed,
                    "last_event_seq": 6,
                }
            )
            archived.append(
                {
                    "contract_id": row["id"],
                    "tenant": row["tenant"],
                    "contract_number": row["number"],
                    "subject": "个人汽车消费借款合同",
                    "category": row["category"],
                    "status": row["status"],
                    "borrower_name": name,
                    "borrower_id_hash": row["id_hash"],
                    "document_sha256": f"{n:064x}",
                    "chain_head": f"{n:064x}",
                    "completed_at": completed,
                    "archived_at": completed,
                    "retain_until": completed + timedelta(days=30 * 365),
                }
            )
            if rng.random() < 0.01:
                sample.append(row)
        db.session.execute(insert(Contract), contracts)
        db.session.execute(insert(ArchiveRecord), archived)
        db.session.commit()
    if db.engine.dialect.name == "sqlite":
        db.session.execute(text("ANALYZE"))
    else:
        db.session.execute(text("ANALYZE archive_records"))
    db.session.commit()
    return sample


def searches(sample: list[dict], rng: random.Random, rounds: int) -> list[ArchiveQuery]:
    """``rounds`` of each typical search, on values that exist."""
    queries = []
    for _ in range(rounds):
        row = rng.choice(sample)
        month = date(row["completed"].year, row["completed"].month, 1)
        quarter = date(2025, rng.choice((1, 4, 7, 10)), 1)
        queries += [
            ArchiveQuery(id_number=row["id_number"]),
            ArchiveQuery(contract_number=row["number"]),
            ArchiveQuery(borrower=row["name"]),
            ArchiveQuery(
                store=row["tenant"],
                completed_from=month,
                completed_to=month + timedelta(days=30),
            ),
            ArchiveQuery(
                category=rng.choice(CATEGORIES),
                status="INVALIDATED",
                completed_from=quarter,
                completed_to=quarter + timedelta(days=90),
            ),
        ]
    return queries


def measure(queries: list[ArchiveQuery]) -> list[float]:
    """Milliseconds per search: the count and the first page of 20."""
    timings = []
    for query in queries:
        began = time.perf_counter()
        page = search_archive(None, query)
        timings.append((time.perf_counter() - began) * 1000)
        assert page.total >= 1 or query.status == "INVALIDATED"
        db.session.expunge_all()
    return timings


def _p(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=60)
    args = parser.parse_args()
    rng = random.Random(8)
    with tempfile.TemporaryDirectory(prefix="bench-archive-") as home:
        app = create_app({"HOME": home})
        with app.app_context():
            began = time.perf_counter()
            sample = seed(args.records, rng)
            seeded = time.perf_counter() - began
            queries = searches(sample, rng, args.rounds)
            measure(queries[:20])  # warm the caches
            indexed = measure(queries)
            for index in ArchiveRecord.__table__.indexes:
                index.drop(db.engine)
            baseline = measure(queries[: len(queries) // 3])
            db.session.remove()
            db.engine.dispose()
    print(
        f"records={args.records} seed_s={seeded:.1f} searches={len(indexed)} "
        f"p50_ms={_p(indexed, 50):.2f} p95_ms={_p(indexed, 95):.2f} "
        f"baseline_p50_ms={_p(baseline, 50):.2f} "
        f"baseline_p95_ms={_p(baseline, 95):.2f} "
        f"ratio={_p(baseline, 95) / _p(indexed, 95):.1f}"
    )


if __name__ == "__main__":
    main()
