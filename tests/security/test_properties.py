"""Property-based attacks on the JSON and SOAP inputs (hypothesis, small budget).

Whatever the body or query, the answer is the API's own: a success, or a 4xx
JSON error with a code (a SOAP fault with a code that is not
``internal_error``), never a 500. The budgets are small so CI stays fast;
``tools/fuzz_inputs.py`` runs longer campaigns on the file inputs.
"""

from __future__ import annotations

import copy
import os
from pathlib import Path
from urllib.parse import urlencode
from xml.sax.saxutils import escape

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from bridge import create_app
from bridge.api.contract_io import parse_template_request
from bridge.api.openapi import openapi_document
from bridge.documents.finance_templates import get_template
from bridge.errors import BridgeError
from bridge.models import utcnow
from tests.completed_contracts import store_clients
from tests.oa import OA_USER, SOAP_NS, digest_token, soap_envelope
from tests.parties import BORROWER, LENDER
from tests.pdfs import chinese_pdf
from tests.security.conftest import multipart_upload

pytestmark = pytest.mark.database  # run on PostgreSQL too

PDF = chinese_pdf(1)
BUDGET = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=40),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)
WEIRD_TEXT = st.one_of(
    st.text(max_size=60),
    st.sampled_from(
        ["", " ", "0", "-1", "1e309", "9" * 30, "2026-02-30", "9999-12-31", "%00"]
    ),
    st.integers(min_value=-(2**64), max_value=2**64).map(str),
)


@pytest.fixture(scope="module")
def world(seeded_home, instances, tmp_path_factory):
    home = instances.new(tmp_path_factory.mktemp("props") / "i", copy_of=seeded_home)
    oa = {"users": dict([OA_USER]), "max_envelope_bytes": 64 * 1024}
    app = create_app({"HOME": str(home), "OA": oa})
    return app, store_clients(app)["JN001"]


def _assert_answered(response) -> None:
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    if response.status_code >= 400:
        assert response.get_json()["code"]


def _mutate(value, path: list, replacement):
    """``value`` with the item at ``path`` (keys/indexes, clipped) replaced."""
    value = copy.deepcopy(value)
    node = value
    for step in path[:-1]:
        if isinstance(node, dict) and node:
            node = node[sorted(node)[step % len(node)]]
        elif isinstance(node, list) and node:
            node = node[step % len(node)]
    if isinstance(node, dict) and node:
        node[sorted(node)[path[-1] % len(node)]] = replacement
    elif isinstance(node, list) and node:
        node[path[-1] % len(node)] = replacement
    return value


def _refusal(body) -> BridgeError | None:
    try:
        parse_template_request(body)
    except BridgeError as exc:
        return exc
    return None


def _template_body() -> dict:
    example = get_template("loan_contract").schema["examples"][0]
    return {"bizId": "P-1", "template": "loan_contract", "parameters": example}


@BUDGET
@given(
    path=st.lists(st.integers(min_value=0, max_value=50), min_size=1, max_size=5),
    replacement=JSON,
)
def test_template_requests_are_parsed_or_refused(world, path, replacement):
    """Any change to a valid template body: parsed, or a 4xx naming the problem."""
    app, _ = world
    with app.app_context():
        refusal = _refusal(_mutate(_template_body(), path, replacement))
    if refusal is not None:
        assert 400 <= refusal.status < 500
        assert refusal.code


@BUDGET
@given(body=JSON)
def test_any_json_body_of_a_contract_request(world, body):
    _, store = world
    response = store.post("/api/v1/contracts", json=body)
    _assert_answered(response)
    assert response.status_code >= 400  # nothing random is a valid contract


def _meta() -> dict:
    return {
        "bizId": "P-META",
        "subject": "借款合同",
        "category": "loan_contract",
        "send": False,
        "signatories": [BORROWER, LENDER],
    }


@BUDGET
@given(
    path=st.lists(st.integers(min_value=0, max_value=50), min_size=1, max_size=4),
    replacement=JSON,
)
def test_upload_metadata_changed_anywhere(world, path, replacement):
    _, store = world
    meta = _mutate(_meta(), path, replacement)
    response = store.post("/api/v1/contracts", **multipart_upload(meta, PDF))
    _assert_answered(response)


SEARCHES = {
    path: [p["name"] for p in item["get"]["parameters"] if p["in"] == "query"]
    for path, item in openapi_document()["paths"].items()
    if "get" in item and "{" not in path and item["get"]["parameters"]
}


@BUDGET
@given(where=st.sampled_from(sorted(SEARCHES)), data=st.data())
def test_search_parameters(world, where, data):
    names = st.sampled_from(SEARCHES[where]) | st.text(min_size=1, max_size=8)
    _search(world, where, data.draw(st.dictionaries(names, WEIRD_TEXT, max_size=5)))


@pytest.mark.parametrize("where", sorted(SEARCHES))
@pytest.mark.parametrize(
    "query",
    [{"page": "9" * 24}, {"page": str(2**63 - 1)}, {"to": "9999-12-31"}],
    ids=["page-beyond-sql", "page-int64", "to-last-day"],
)
def test_search_findings_stay_fixed(world, where, query):
    """What the search property found (500s before): kept as regressions."""
    _search(world, where, query)


def _search(world, where: str, query: dict) -> None:
    _, store = world
    _assert_answered(store.get(f"{where}?{urlencode(query)}" if query else where))


def _operations() -> dict[str, list[tuple[str, str]]]:
    """Each request element of the WSDL with its children (name, XSD type)."""
    wsdl = Path(__file__).parents[2] / "bridge" / "soap" / "sealbridge-oa.wsdl"
    xsd = "{http://www.w3.org/2001/XMLSchema}"
    schema = etree.parse(str(wsdl))
    operations = {}
    for element in schema.iter(f"{xsd}element"):
        name = element.get("name")
        sequence = element.find(f"{xsd}complexType/{xsd}sequence")
        if element.getparent().tag == f"{xsd}schema" and sequence is not None:
            if not name.endswith("Response"):
                operations[name] = [
                    (child.get("name"), child.get("type")) for child in sequence
                ]
    return operations


OPERATIONS = _operations()
XML_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)


EDGES = st.sampled_from([2**31 - 1, 2**31, -(2**31) - 1, 2**63, 10**20])


def _value(kind: str):
    if kind == "xsd:int":
        numbers = st.integers(min_value=-(2**80), max_value=2**80) | EDGES
        return numbers.map(str) | XML_TEXT
    return XML_TEXT


@BUDGET
@given(data=st.data())
def test_soap_operations_with_any_values(world, data):
    operation = data.draw(st.sampled_from(sorted(OPERATIONS)))
    values = {
        name: data.draw(_value(kind))
        for name, kind in OPERATIONS[operation]
        if kind.startswith("xsd:") and data.draw(st.booleans())
    }
    _call_soap(world, operation, values)


@pytest.mark.parametrize("number", [str(2**31), str(10**20), str(-(2**63) - 1)])
def test_soap_findings_stay_fixed(world, number):
    """Numbers beyond xsd:int were internal errors (database overflow)."""
    task = {"requestId": number, "nodeName": "用印", "oaUser": "6"}
    task |= {"sealKind": "contract", "documentIds": "1", "resultField": "f"}
    assert _call_soap(world, "createSealTask", task) == "invalid_value"


def _call_soap(world, operation: str, values: dict) -> str | None:
    """POST one operation with a fresh token; the fault's code, never internal."""
    app, _ = world
    children = [f"<sb:{k}>{escape(v)}</sb:{k}>" for k, v in values.items()]
    body = f"<sb:{operation}>{''.join(children)}</sb:{operation}>"
    token = digest_token(
        OA_USER[1], utcnow().strftime("%Y-%m-%dT%H:%M:%SZ"), os.urandom(16)
    )
    reply = app.test_client().post(
        "/soap/oa", data=soap_envelope(token, body), content_type="text/xml"
    )
    code = etree.fromstring(reply.data).findtext(f".//{{{SOAP_NS}}}code")
    assert code != "internal_error", reply.data[:500]
    return code
