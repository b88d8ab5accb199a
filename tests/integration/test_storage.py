"""The document store: local folder and S3 (moto's server in its own process),
the same contract for both, and a contract made, signed and downloaded on S3."""

from __future__ import annotations

import base64
import gc
import hashlib
import json
import uuid

import pytest
from botocore.exceptions import ClientError

from bridge import create_app
from bridge.documents.storage import LocalStorage, build_storage
from bridge.errors import (
    ConfigurationError,
    DocumentDamagedError,
    NotFoundError,
    StorageUnavailableError,
)
from bridge.extensions import db
from bridge.models import ContractDocument
from bridge.services.contracts import WHOLE_EVERY, _store_revision
from bridge.services.storage import storage
from examples.finance_client import ApiError, FinanceClient, run_scenario
from tests.pdfs import chinese_pdf, pdfsig
from tests.s3_server import S3Server
from tests.signed_client import new_api_app
from tests.webhook_receiver import refused_url
from tests.wsgi_server import LoopbackServer

PDF = chinese_pdf(1)
BORROWER = ("王小明", "370102199001011231", "13853112345")


@pytest.fixture(scope="module")
def s3():
    server = S3Server().start()
    yield server
    server.stop()


def new_bucket(server: S3Server, **options) -> str:
    bucket = f"documents-{uuid.uuid4().hex[:12]}"
    server.client().create_bucket(Bucket=bucket, **options)
    return bucket


@pytest.fixture(params=["local", "s3"])
def store(request, tmp_path):
    if request.param == "local":
        return build_storage({"HOME": str(tmp_path)})
    server = request.getfixturevalue("s3")
    settings = server.settings(new_bucket(server), prefix="/bridge/pdf/")
    return build_storage({"STORAGE": "s3", "S3": settings})


def replace_behind_its_back(request, store, sha256: str, data: bytes) -> None:
    """Write ``data`` where ``sha256`` is kept, as a failing disk or operator would."""
    if isinstance(store, LocalStorage):
        (store.root / sha256[:2] / sha256).write_bytes(data)
    else:
        client = request.getfixturevalue("s3").client()
        client.put_object(Bucket=store.bucket, Key=store.key(sha256), Body=data)


def test_put_names_the_bytes_by_their_sha256_and_get_returns_them(store):
    digest = store.put(PDF)
    assert digest == hashlib.sha256(PDF).hexdigest()
    assert store.get(digest) == PDF


def test_put_is_idempotent_and_never_replaces_what_is_stored(request, store):
    digest = store.put(PDF)
    replace_behind_its_back(request, store, digest, b"damaged")
    assert store.put(PDF) == digest  # already there: not written again
    with pytest.raises(DocumentDamagedError) as caught:
        store.get(digest)
    assert caught.value.code == "document_damaged"
    assert digest in caught.value.message


def stored_size(request, store, sha256: str) -> int:
    """How many bytes the store keeps under ``sha256``."""
    if isinstance(store, LocalStorage):
        return (store.root / sha256[:2] / sha256).stat().st_size
    client = request.getfixturevalue("s3").client()
    return client.head_object(Bucket=store.bucket, Key=store.key(sha256))[
        "ContentLength"
    ]


def test_a_revision_is_stored_as_the_bytes_it_appends(request, store):
    base = store.put(PDF)
    update = b"\n% an incremental update: a signature and its xref\n" * 20
    revision = store.put(PDF + update, extends=(base, len(PDF)))
    assert revision == hashlib.sha256(PDF + update).hexdigest()
    assert store.get(revision) == PDF + update
    assert stored_size(request, store, revision) < len(update) + 100
    unrelated = chinese_pdf(2)  # does not begin with the base: stored whole
    whole = store.put(unrelated, extends=(base, len(PDF)))
    assert store.get(whole) == unrelated
    assert stored_size(request, store, whole) == len(unrelated)
    replace_behind_its_back(request, store, base, b"damaged")
    with pytest.raises(DocumentDamagedError):
        store.get(revision)  # its base no longer matches: the whole is refused


@pytest.mark.parametrize("name", ["0" * 64, "../" + "a" * 61, "A" * 64, ""])
def test_unknown_or_malformed_names_are_not_found(store, name):
    with pytest.raises(NotFoundError):
        store.get(name)


def test_s3_objects_sit_under_the_prefix_with_their_sha256_checksum(s3):
    bucket = new_bucket(s3)
    store = build_storage(
        {"STORAGE": "s3", "S3": s3.settings(bucket, prefix="tenant-a")}
    )
    digest = store.put(PDF)
    client = s3.client()
    keys = [o["Key"] for o in client.list_objects_v2(Bucket=bucket)["Contents"]]
    assert keys == [f"tenant-a/{digest[:2]}/{digest}"]
    head = client.head_object(Bucket=bucket, Key=keys[0], ChecksumMode="ENABLED")
    assert head["ChecksumSHA256"] == base64.b64encode(bytes.fromhex(digest)).decode()
    assert head["ContentType"] == "application/pdf"


def test_an_object_lock_bucket_keeps_documents_write_once(s3):
    bucket = new_bucket(s3, ObjectLockEnabledForBucket=True)
    client = s3.client()
    client.put_object_lock_configuration(
        Bucket=bucket,
        ObjectLockConfiguration={
            "ObjectLockEnabled": "Enabled",
            "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Days": 1}},
        },
    )
    store = build_storage({"STORAGE": "s3", "S3": s3.settings(bucket)})
    digest = store.put(PDF)
    assert store.put(PDF) == digest
    key = store.key(digest)
    versions = client.list_object_versions(Bucket=bucket)["Versions"]
    assert [v["Key"] for v in versions] == [key]  # the second put wrote nothing
    with pytest.raises(ClientError) as refused:
        client.delete_object(Bucket=bucket, Key=key, VersionId=versions[0]["VersionId"])
    assert refused.value.response["Error"]["Code"] == "AccessDenied"
    assert store.get(digest) == PDF


@pytest.mark.parametrize(
    ("config", "words"),
    [
        ({"STORAGE": "ftp"}, "Unknown STORAGE 'ftp'"),
        ({"STORAGE": "s3", "S3": {}}, "needs S3.bucket"),
        (
            {"STORAGE": "s3", "S3": {"bucket": "b", "secret": "x"}},
            "Unknown S3 settings secret",
        ),
    ],
)
def test_bad_storage_settings_say_what_is_wrong(config, words, tmp_path):
    with pytest.raises(ConfigurationError) as caught:
        build_storage({"HOME": str(tmp_path), **config})
    assert words in caught.value.message


def test_an_unreachable_s3_server_is_storage_unavailable():
    endpoint = refused_url().rsplit("/", 2)[0]
    store = build_storage(
        {
            "STORAGE": "s3",
            "S3": {"bucket": "documents", "endpoint_url": endpoint, "max_attempts": 1},
        }
    )
    digest = hashlib.sha256(PDF).hexdigest()
    for attempt in (lambda: store.put(PDF), lambda: store.get(digest)):
        with pytest.raises(StorageUnavailableError) as caught:
            attempt()
        assert caught.value.status == 503
        assert endpoint in caught.value.message


@pytest.fixture
def serve(home, monkeypatch):
    """The bridge on loopback with its S3 settings in the environment, as an
    operator sets them (``SEALBRIDGE_STORAGE``, ``SEALBRIDGE_S3`` as JSON)."""
    servers = []

    def start(s3_settings: dict):
        monkeypatch.setenv("SEALBRIDGE_STORAGE", "s3")
        monkeypatch.setenv("SEALBRIDGE_S3", json.dumps(s3_settings))
        app = create_app({"HOME": str(home), "CONVERSION_POOL_SIZE": 1})
        servers.append((app, LoopbackServer(app).start()))
        key, secret, _ = new_api_app(app)
        return FinanceClient(servers[-1][1].url, key, secret)

    yield start
    gc.collect()  # drop pooled connections held by caught errors' tracebacks
    for app, server in servers:
        server.stop()
        if "converter" in app.extensions["sealbridge"].cache:
            app.extensions["sealbridge"].cache["converter"].close()


def test_a_loan_contract_is_made_signed_and_downloaded_on_s3(s3, serve, home, tmp_path):
    bucket = new_bucket(s3)
    with serve(s3.settings(bucket)) as client:
        contract_id, final = run_scenario(client, tmp_path)
        contract = client.get(f"/api/v1/contracts/{contract_id}")
    *signatures, archive_timestamp = pdfsig(final, None)
    assert [s["Signature Validation"] for s in signatures] == [
        "Signature is Valid."
    ] * 4
    assert archive_timestamp["Signer Certificate Common Name"] == (
        "Sealbridge Timestamp Authority"
    )
    pdf = final.read_bytes()
    digest = hashlib.sha256(pdf).hexdigest()
    assert contract["documents"][0]["sha256"] == digest
    objects = s3.client().list_objects_v2(Bucket=bucket)["Contents"]
    key = f"documents/{digest[:2]}/{digest}"
    assert key in [o["Key"] for o in objects]
    # The unsigned PDF, one revision per signature, the archive timestamp: each
    # revision kept as the bytes it appends to the one before.
    assert len(objects) == 6
    assert sum(o["Size"] for o in objects) < len(pdf) * 1.1
    stored = s3.client().get_object(Bucket=bucket, Key=key)["Body"].read()
    assert stored.startswith(b"%SB-APPENDS ")
    assert (
        build_storage({"STORAGE": "s3", "S3": s3.settings(bucket)}).get(digest) == pdf
    )
    assert not (home / "documents").exists()


def _upload(biz_id: str) -> dict:
    """A one-page PDF for 王小明 to sign, kept as a draft (nothing to convert)."""
    signer = dict(zip(("name", "idNumber", "mobile"), BORROWER, strict=True))
    signer |= {"role": "guarantor", "kind": "PERSONAL", "keyword": "甲方（盖章）"}
    meta = {
        "bizId": biz_id,
        "subject": "担保函",
        "category": "guarantee_letter",
        "send": False,
        "signatories": [signer | {"routingOrder": 1}],
    }
    return {
        "meta": (None, json.dumps(meta, ensure_ascii=False)),
        "file": ("guarantee.pdf", PDF, "application/pdf"),
    }


def test_s3_down_answers_503_storage_unavailable_and_keeps_nothing(serve, tmp_path):
    server = S3Server().start()
    try:
        settings = server.settings(new_bucket(server), max_attempts=2)
        with serve(settings) as client:
            created = client.post("/api/v1/contracts", files=_upload("GUAR-S3-1"))
            server.stop()
            document = f"/api/v1/contracts/{created['id']}/document"
            with pytest.raises(ApiError) as reading:
                client.download(document, tmp_path / "contract.pdf")
            with pytest.raises(ApiError) as writing:
                client.post("/api/v1/contracts", files=_upload("GUAR-S3-2"))
            listing = client.get("/api/v1/contracts", params={"bizId": "GUAR-S3-2"})
    finally:
        server.stop()
    for caught in (reading.value, writing.value):
        assert (caught.status, caught.code) == (503, "storage_unavailable")
        assert server.url in caught.message
    assert listing["total"] == 0


def test_every_eighth_revision_is_stored_whole(app):
    """So reading any revision takes at most eight object reads."""
    with app.app_context():
        document = ContractDocument(title="借款合同")
        pdf, whole = PDF, []
        for number in range(WHOLE_EVERY + 2):
            digest = _store_revision(document, pdf, f"revision {number}")
            path = storage().root / digest[:2] / digest
            whole.append(path.read_bytes().startswith(b"%PDF-"))
            assert storage().get(digest) == pdf
            pdf += f"\n% update {number}\n".encode()
        db.session.rollback()
    assert whole == [True] + [False] * (WHOLE_EVERY - 1) + [True, False]
