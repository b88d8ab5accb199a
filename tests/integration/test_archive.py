"""The archive: automatic at completion, write-once, searched with tenant rules,
exported as evidence packages."""

from __future__ import annotations

import json
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from bridge import create_app
from bridge.cli import main
from bridge.errors import ConflictError
from bridge.extensions import db
from bridge.models import ArchiveRecord, Contract
from tests.completed_contracts import create_signed_contract, store_clients

pytestmark = pytest.mark.database

BORROWERS = {
    "LOAN-ARCH-0001": ("JN001", "张伟", "370102198501012340", "13912345678"),
    "LOAN-ARCH-0002": ("JN001", "李娜", "37010219870202118X", "13812345678"),
    "LOAN-ARCH-0003": ("QD002", "张伟", "370202199003033456", "13712345678"),
}


@pytest.fixture(scope="module")
def bridge(seeded_home, tmp_path_factory, instances):
    home = instances.new(tmp_path_factory.mktemp("archive") / "instance", seeded_home)
    app = create_app(
        {"HOME": str(home), "CONVERSION_POOL_SIZE": 1, "ARCHIVE_RETENTION_YEARS": 10}
    )
    apis = store_clients(app)
    contracts = {
        number: create_signed_contract(app, apis[tenant], number, name, id_no, mobile)
        for number, (tenant, name, id_no, mobile) in BORROWERS.items()
    }
    yield {"app": app, "home": home, "apis": apis, "contracts": contracts}
    from bridge.services.conversion import converter

    with app.app_context():
        converter().close()


def _search(bridge, tenant: str, **query) -> dict:
    from urllib.parse import urlencode

    response = bridge["apis"][tenant].get(f"/api/v1/archive?{urlencode(query)}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _numbers(result: dict) -> list[str]:
    return sorted(item["contractNumber"] for item in result["items"])


def test_completed_contracts_are_archived_with_their_final_revision(bridge):
    everything = _search(bridge, "*")
    assert everything["total"] == 3
    item = next(
        i for i in everything["items"] if i["contractNumber"] == "LOAN-ARCH-0001"
    )
    with bridge["app"].app_context():
        contract = db.session.get(Contract, item["contractId"])
        final = contract.documents[0].current.sha256
        assert item["documentSha256"] == final
        assert item["chainHead"] == contract.last_event_hash
        completed = contract.completed_at
    assert item["status"] == "COMPLETE"
    assert item["store"] == "JN001"
    assert item["retainUntil"] == str(
        completed.date().replace(year=completed.year + 10)
    )


def test_a_dealer_searches_its_own_store_only(bridge):
    assert _numbers(_search(bridge, "JN001")) == ["LOAN-ARCH-0001", "LOAN-ARCH-0002"]
    assert _search(bridge, "JN001", store="QD002")["total"] == 0
    assert _numbers(_search(bridge, "QD002", borrower="张伟")) == ["LOAN-ARCH-0003"]
    assert _numbers(_search(bridge, "*", store="QD002")) == ["LOAN-ARCH-0003"]


def test_search_by_each_filter(bridge):
    today = datetime.now(UTC).date()
    assert _numbers(_search(bridge, "*", borrower="张伟")) == [
        "LOAN-ARCH-0001",
        "LOAN-ARCH-0003",
    ]
    assert _numbers(_search(bridge, "*", idNumber="37010219870202118x")) == [
        "LOAN-ARCH-0002"
    ]
    assert _numbers(_search(bridge, "*", contractNumber="LOAN-ARCH-0003")) == [
        "LOAN-ARCH-0003"
    ]
    assert _search(bridge, "*", category="loan_contract")["total"] == 3
    assert _search(bridge, "*", category="lease_contract")["total"] == 0
    assert _search(bridge, "*", status="COMPLETE")["total"] == 3
    yesterday, tomorrow = today - timedelta(days=1), today + timedelta(days=1)
    assert (
        _search(bridge, "*", **{"from": str(yesterday), "to": str(tomorrow)})["total"]
        == 3
    )
    assert _search(bridge, "*", **{"from": str(tomorrow)})["total"] == 0
    assert _search(bridge, "*", to=str(yesterday))["total"] == 0
    page = _search(bridge, "*", pageSize=2, page=2)
    assert (page["total"], len(page["items"])) == (3, 1)


def test_bad_search_input_is_a_clear_400(bridge):
    api = bridge["apis"]["*"]
    for query, field in (("from=29.11.2026", "from"), ("status=DONE", "status")):
        response = api.get(f"/api/v1/archive?{query}")
        assert response.status_code == 400
        body = response.get_json()
        assert body["code"] == "invalid_request"
        assert field in body["fields"]


def test_id_numbers_are_never_stored_in_clear(bridge):
    with bridge["app"].app_context():
        rows = db.session.execute(text("SELECT * FROM archive_records")).all()
    values = " ".join(str(value) for row in rows for value in row)
    for _, _, id_number, _ in BORROWERS.values():
        assert id_number not in values
        assert id_number.lower() not in values


def test_archive_records_are_write_once_and_retained(bridge):
    with bridge["app"].app_context():
        record = db.session.query(ArchiveRecord).first()
        record.document_sha256 = "0" * 64
        with pytest.raises(ConflictError) as caught:
            db.session.flush()
        assert caught.value.code == "archive_immutable"
        db.session.rollback()
        record = db.session.query(ArchiveRecord).first()
        db.session.delete(record)
        with pytest.raises(ConflictError) as caught:
            db.session.flush()
        assert caught.value.code == "archive_retained"
        db.session.rollback()
        assert db.session.query(ArchiveRecord).count() == 3


def test_invalidation_shows_in_the_archive(bridge):
    number = "LOAN-ARCH-0002"
    contract_id = bridge["contracts"][number]["id"]
    before = _search(bridge, "*", contractNumber=number)["items"][0]
    response = bridge["apis"]["JN001"].post(
        f"/api/v1/contracts/{contract_id}/invalidate", json={"reason": "借款人放弃贷款"}
    )
    assert response.status_code == 200, response.get_json()
    after = _search(bridge, "*", status="INVALIDATED")["items"]
    assert [i["contractNumber"] for i in after] == [number]
    # The archived revision stays the one that was completed.
    assert after[0]["documentSha256"] == before["documentSha256"]


def test_export_writes_verifiable_packages(bridge, tmp_path):
    today = datetime.now(UTC).date()
    result = CliRunner().invoke(
        main,
        [
            "--home",
            str(bridge["home"]),
            "archive",
            "export",
            "--from",
            str(today - timedelta(days=1)),
            "--to",
            str(today),
            "--out",
            str(tmp_path / "out"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Exporting evidence packages" in result.output
    packages = sorted((tmp_path / "out").glob("*.zip"))
    assert [p.name.split("-")[0:3] for p in packages] == [
        ["LOAN", "ARCH", f"000{n}"] for n in (1, 2, 3)
    ]
    with zipfile.ZipFile(packages[0]) as archive:
        contract = json.loads(archive.read("contract.json"))
    assert contract["bizId"] == "LOAN-ARCH-0001"
    check = CliRunner().invoke(main, ["verify-package", str(packages[0])])
    assert check.exit_code == 0, check.output

    empty = CliRunner().invoke(
        main,
        ["--home", str(bridge["home"]), "archive", "export"]
        + ["--from", "2001-01-01", "--to", "2001-12-31", "--out", str(tmp_path / "e")],
    )
    assert empty.exit_code == 0
    assert "exported 0 evidence packages" in empty.output
