"""Every signed operation of the OpenAPI document, called by another store.

The operations come from the document the bridge serves, so an endpoint added
later is attacked here without anyone writing a test for it. Store QD002 calls
each with the ids of a contract of store JN001: an operation on a contract
must answer 404 (it does not exist for QD002) or 403, a collection must not
list it, and nothing of the contract may appear in any answer. Head-office
operations answer 403 to a dealer's app, and no other operation may (the document
must mark every head-office operation with ``x-head-office``).
"""

from __future__ import annotations

import pytest

from bridge import create_app
from bridge.api.openapi import openapi_document
from tests.completed_contracts import store_clients
from tests.parties import BORROWER
from tests.security.conftest import upload

pytestmark = pytest.mark.database  # run on PostgreSQL too

BIZ_ID = "SEC-TENANCY-JN"
VICTIM = {
    **BORROWER,
    "name": "欧阳守密",
    "idNumber": "370102197707071237",
    "mobile": "13712345678",
}
OPERATIONS = [
    (method, path, operation)
    for path, item in openapi_document()["paths"].items()
    for method, operation in item.items()
    if "security" in operation  # the unsigned ones hold no tenant's data
]


@pytest.fixture(scope="module")
def world(seeded_home, instances, tmp_path_factory):
    """An instance with stores JN001 and QD002 and a contract of JN001."""
    home = instances.new(tmp_path_factory.mktemp("tenancy") / "i", copy_of=seeded_home)
    app = create_app({"HOME": str(home)})
    stores = store_clients(app)
    created = upload(stores["JN001"], BIZ_ID, borrower=VICTIM)
    assert created.status_code == 201, created.get_json()
    contract = created.get_json()
    return app, stores, contract


def _secrets_of(contract: dict) -> list[str]:
    """What must never reach another store: who signs, for what, which files."""
    return [
        BIZ_ID,
        VICTIM["name"],
        VICTIM["idNumber"][:6] + "*",
        VICTIM["mobile"],
        "137****5678",
        *(d["sha256"] for d in contract.get("documents", []) if "sha256" in d),
    ]


def _value(param: dict, contract: dict):
    """A path or query value aimed at JN001's contract."""
    borrower = contract["signatories"][0]
    values = {
        "contract_id": contract["id"],
        "signatory_id": borrower["id"],
        "message_id": 1,
        "mobile": VICTIM["mobile"],
        "bizId": BIZ_ID,
        "borrower": VICTIM["name"],
        "idNumber": VICTIM["idNumber"],
        "store": "JN001",
        "contractNumber": contract.get("contractNumber") or BIZ_ID,
    }
    if param["in"] == "path":
        assert param["name"] in values, f"no attack value for {param['name']}"
    return values.get(param["name"])


def _body(operation: dict) -> dict | None:
    content = operation.get("requestBody", {}).get("content", {})
    schema = content.get("application/json", {}).get("schema", {})
    properties = schema.get("properties") or {}
    return {name: "攻击测试" for name in properties} if content else None


@pytest.mark.parametrize(
    ("method", "path", "operation"),
    OPERATIONS,
    ids=[f"{m.upper()} {p}" for m, p, _ in OPERATIONS],
)
def test_another_store_gets_nothing(world, method, path, operation):
    app, stores, contract = world
    params = operation.get("parameters", [])
    url = path
    query = []
    for param in params:
        value = _value(param, contract)
        if param["in"] == "path":
            url = url.replace("{" + param["name"] + "}", str(value))
        elif param["in"] == "query" and value is not None:
            query.append(f"{param['name']}={value}")
    if query:
        url += "?" + "&".join(query)
    response = stores["QD002"].open(method.upper(), url, json=_body(operation))
    text = response.get_data(as_text=True)
    if operation.get("x-head-office"):
        assert response.status_code == 403, text
        assert response.get_json()["code"] == "head_office_only"
    else:
        # A head-office operation the document does not mark would land here.
        assert (response.get_json() or {}).get("code") != "head_office_only", path
        if "{" in path:
            assert response.status_code in (403, 404), text
        else:
            assert response.status_code < 500, text
    leaked = [s for s in _secrets_of(contract) if s in text]
    assert not leaked, f"{method.upper()} {url} showed {leaked}: {text[:300]}"


def test_the_attacks_reach_real_data(world):
    """The ids are right: the owner and head office see the contract."""
    _, stores, contract = world
    for tenant in ("JN001", "*"):
        response = stores[tenant].get(f"/api/v1/contracts/{contract['id']}")
        assert response.status_code == 200
        assert VICTIM["name"] in response.get_data(as_text=True)
    listing = stores["JN001"].get(f"/api/v1/contracts?bizId={BIZ_ID}")
    assert listing.get_json()["total"] == 1


def test_the_document_served_is_the_one_attacked(world):
    app, _, _ = world
    served = app.test_client().get("/api/v1/openapi.json").get_json()
    assert served == openapi_document()
    assert len(OPERATIONS) >= 20
