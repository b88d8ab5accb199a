"""The e-cology sandbox answers a zeep client the way the reference describes."""

from __future__ import annotations

import base64
import io
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
import zeep
from lxml import etree

from oa_plugin.sandbox.app import SandboxConfig, create_sandbox
from tests.wsgi_server import LoopbackServer, free_port

PDF = b"%PDF-1.4\n% a contract\n"


@pytest.fixture
def sandbox(tmp_path):
    server = LoopbackServer(create_sandbox(SandboxConfig(tmp_path / "ecology"))).start()
    yield server
    server.stop()


def _client(sandbox, name: str) -> zeep.Client:
    return zeep.Client(f"{sandbox.url}/services/{name}?wsdl")


def _fields(info) -> dict[str, str | None]:
    record = info.workflowMainTableInfo.requestRecords.WorkflowRequestTableRecord[0]
    items = record.workflowRequestTableFields.WorkflowRequestTableField
    return {item.fieldName: item.fieldValue for item in items}


def _seal_application(**values) -> dict:
    items = [{"fieldName": k, "fieldValue": v} for k, v in values.items()]
    items.append(
        {
            "fieldName": "fj",
            "fieldType": "base64:contract.pdf",
            "fieldValue": base64.b64encode(PDF).decode(),
        }
    )
    record = {
        "recordOrder": 0,
        "workflowRequestTableFields": {"WorkflowRequestTableField": items},
    }
    return {
        "requestName": "用印申请-张三",
        "requestLevel": "0",
        "workflowBaseInfo": {"workflowId": "102"},
        "workflowMainTableInfo": {
            "requestRecords": {"WorkflowRequestTableRecord": [record]}
        },
    }


def test_wsdls_carry_the_reference_names(sandbox):
    workflow = etree.fromstring(
        requests.get(f"{sandbox.url}/services/WorkflowService?wsdl", timeout=5).content
    )
    assert workflow.get("targetNamespace") == "webservices.services.weaver.com.cn"
    docs = _client(sandbox, "DocService")
    assert docs.wsdl.services["DocService"].ports["DocServiceHttpPort"]
    address = _client(sandbox, "WorkflowService").service._binding_options["address"]
    assert address == f"{sandbox.url}/services/WorkflowService"
    client = _client(sandbox, "WorkflowService")
    for name in (
        "WorkflowRequestInfo",
        "WorkflowMainTableInfo",
        "WorkflowRequestTableRecord",
        "WorkflowRequestTableField",
    ):
        assert client.get_type(f"{{http://webservices.workflow.weaver}}{name}")
    for name in ("DocInfo", "DocAttachment"):
        assert docs.get_type(f"{{http://webservices.docs.weaver}}{name}")


def test_every_operation_through_zeep(sandbox):
    workflow = _client(sandbox, "WorkflowService").service
    docs = _client(sandbox, "DocService").service

    assert docs.login("sealbridge", "wrong", 0, "127.0.0.1") in ("", None)
    session = docs.login("sealbridge", "oa-pass", 0, "127.0.0.1")
    attachment = {
        "filename": "a.pdf",
        "filetype": "application/pdf",
        "filecontent": base64.b64encode(PDF).decode(),
    }
    docid = docs.createDoc(
        {
            "docSubject": "合同",
            "keyword": "k1",
            "attachments": {"DocAttachment": [attachment]},
        },
        session,
    )
    assert docid > 0
    assert docs.updateDoc({"id": docid, "docSubject": "合同（改）"}, session) == docid
    doc = docs.getDoc(docid, session)
    assert doc.docSubject == "合同（改）"
    assert base64.b64decode(doc.attachments.DocAttachment[0].filecontent) == PDF
    assert [d.id for d in docs.getList(session, 1, 10)] == [docid]
    assert docs.createDoc({"docSubject": "x"}, "not-a-session") == 0
    assert docs.getDoc(docid, "not-a-session").id is None

    request_id = int(
        workflow.doCreateWorkflowRequest(
            _seal_application(htmc="购车合同", yzlx="contract"), 2
        )
    )
    assert request_id > 0
    info = workflow.getWorkflowRequest(request_id, 3, 0)
    assert info.currentNodeName == "部门审批"
    assert info.workflowBaseInfo.workflowId == "102"
    attached = _fields(info)["fj"]
    assert attached.isdigit()  # the base64 file became an OA doc
    file = docs.getDoc(int(attached), session).attachments.DocAttachment[0]
    assert base64.b64decode(file.filecontent) == PDF

    todo = workflow.getToDoWorkflowRequestList(1, 10, 0, 3, None)
    assert [int(r.requestId) for r in todo] == [request_id]
    assert (
        workflow.forwardWorkflowRequest(request_id, "4", "请阅", 3, "127.0.0.1")
        == "success"
    )
    assert workflow.submitWorkflowRequest(None, request_id, 2, "submit", "") == "failed"
    # No bridge configured: the 用印 node's action blocks the submit.
    assert (
        workflow.submitWorkflowRequest(None, request_id, 3, "submit", "同意")
        == "failed"
    )
    assert workflow.getWorkflowRequest(request_id, 3, 0).currentNodeName == "部门审批"
    assert workflow.doCreateWorkflowRequest(_seal_application(), 3) == "-2"


def test_state_survives_a_restart(tmp_path):
    folder = tmp_path / "ecology"
    first = LoopbackServer(create_sandbox(SandboxConfig(folder))).start()
    request_id = _client(first, "WorkflowService").service.doCreateWorkflowRequest(
        _seal_application(htmc="合同"), 2
    )
    first.stop()
    second = LoopbackServer(create_sandbox(SandboxConfig(folder))).start()
    try:
        info = _client(second, "WorkflowService").service.getWorkflowRequest(
            int(request_id), 2, 0
        )
        assert _fields(info)["htmc"] == "合同"
    finally:
        second.stop()


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"<not xml", "malformed_xml"),
        (
            b'<?xml version="1.0"?><!DOCTYPE e [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b"<e>&x;</e>",
            "dtd_forbidden",
        ),
        (b"<a/>", "not_soap"),
    ],
)
def test_bad_envelopes_get_faults(sandbox, body, code):
    reply = requests.post(
        f"{sandbox.url}/services/WorkflowService", data=body, timeout=5
    )
    assert reply.status_code == 400
    fault = etree.fromstring(reply.content)
    assert fault.findtext(".//{*}detail/{*}code") == code


def test_sealbridge_oa_sandbox_serves_the_services(home):
    port = free_port()
    command = [str(Path(sys.executable).parent / "sealbridge"), "--home", str(home)]
    process = subprocess.Popen(
        [*command, "oa-sandbox", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                reply = requests.get(f"http://127.0.0.1:{port}/services/", timeout=2)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline, "the sandbox did not start"
                time.sleep(0.2)
        assert "WorkflowService" in reply.text
        assert (home / "ecology-sandbox" / "ecology.db").exists()
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_a_person_starts_a_request_from_the_desk(tmp_path):
    sandbox = create_sandbox(SandboxConfig(tmp_path / "ecology")).test_client()
    sandbox.get("/login.jsp?userid=2")
    created = sandbox.post(
        "/workflow/request/AddRequest.jsp",
        data={
            "workflowid": "102",
            "htmc": "购车合同",
            "yzlx": "contract",
            "fj": (io.BytesIO(PDF), "购车合同.pdf"),
        },
        content_type="multipart/form-data",
    )
    form = sandbox.get(created.headers["Location"]).get_data(as_text=True)
    assert "购车合同.pdf" in form
    assert 'id="current-node">部门审批<' in form
    assert "部门审批" in sandbox.get("/").get_data(as_text=True)
