"""Document numbers stay unique and gap-free under threads and processes."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor

import pytest

from bridge import create_app
from bridge.errors import ConflictError
from bridge.extensions import db
from bridge.models import DocumentNumber
from bridge.services.doc_numbers import (
    mark_void,
    register_number,
    reserve_number,
)

pytestmark = pytest.mark.database


@pytest.fixture
def fresh_app(tmp_path, instances):
    return create_app({"HOME": str(instances.new(tmp_path / "numbers"))})


def _serials(app, organ: str, year: int) -> list[int]:
    with app.app_context():
        return sorted(
            row.serial
            for row in db.session.query(DocumentNumber).filter_by(
                organ_code=organ, year=year
            )
        )


def test_numbers_under_many_threads_are_unique_and_gapless(fresh_app):
    def take(_):
        with fresh_app.app_context():
            return [reserve_number("重汽发", 2026, "通知").number for _ in range(5)]

    with ThreadPoolExecutor(max_workers=16) as pool:
        numbers = [n for batch in pool.map(take, range(32)) for n in batch]
    assert len(set(numbers)) == 160
    assert _serials(fresh_app, "重汽发", 2026) == list(range(1, 161))
    assert "重汽发〔2026〕1号" in numbers


def test_numbers_from_two_processes_are_unique_and_gapless(fresh_app, tmp_path):
    home = fresh_app.config["HOME"]
    script = textwrap.dedent(
        f"""
        from bridge import create_app
        from bridge.services.doc_numbers import reserve_number
        app = create_app({{"HOME": {home!r}}})
        with app.app_context():
            for _ in range(40):
                print(reserve_number("重汽办发", 2026, "函").number)
        """
    )
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=120)[0].split() for p in processes]
    assert all(p.returncode == 0 for p in processes)
    numbers = outputs[0] + outputs[1]
    assert len(numbers) == len(set(numbers)) == 80
    assert _serials(fresh_app, "重汽办发", 2026) == list(range(1, 81))


def test_each_organ_and_year_counts_on_its_own(fresh_app):
    with fresh_app.app_context():
        assert reserve_number("重汽发", 2026, "a").number == "重汽发〔2026〕1号"
        assert reserve_number("重汽人发", 2026, "b").number == "重汽人发〔2026〕1号"
        assert reserve_number("重汽发", 2027, "c").number == "重汽发〔2027〕1号"
        assert reserve_number("重汽发", 2026, "d").number == "重汽发〔2026〕2号"


def test_void_numbers_are_kept_and_not_reused(fresh_app):
    with fresh_app.app_context():
        first = reserve_number("重汽发", 2026, "作废的通知")
        mark_void(first.id, "conversion failed")
        second = reserve_number("重汽发", 2026, "下一个通知")
        assert second.serial == 2
        voided = db.session.get(DocumentNumber, first.id)
        assert voided.status == "void"
        assert voided.void_reason == "conversion failed"


def test_hand_given_numbers_are_skipped_and_never_duplicated(fresh_app):
    with fresh_app.app_context():
        register_number("重汽发〔2026〕1号", "重汽发", 2026, 1, "手工编号")
        with pytest.raises(ConflictError):
            register_number("重汽发〔2026〕1号", "重汽发", 2026, 1, "again")
        assert reserve_number("重汽发", 2026, "next").serial == 2
