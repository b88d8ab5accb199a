"""The embedded PKI and TSA, checked with OpenSSL and cryptography."""

from __future__ import annotations

import datetime
import io
import json
import subprocess

import pytest
from asn1crypto import algos, tsp
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from bridge import create_app
from tests.pdfs import chinese_pdf, pdfsig
from tests.wsgi_server import waitress_server


def _timestamp_request(
    digest: bytes, *, cert_req: bool = True, nonce: int = 42
) -> bytes:
    return tsp.TimeStampReq(
        {
            "version": "v1",
            "message_imprint": {
                "hash_algorithm": algos.DigestAlgorithm({"algorithm": "sha256"}),
                "hashed_message": digest,
            },
            "nonce": nonce,
            "cert_req": cert_req,
        }
    ).dump()


def _save_issuing_pem(client, folder) -> x509.Certificate:
    """Fetch the issuing CA over HTTP and keep it as ``issuing.pem`` for OpenSSL."""
    issuing = x509.load_der_x509_certificate(client.get("/pki/ca/issuing.crt").data)
    (folder / "issuing.pem").write_bytes(
        issuing.public_bytes(serialization.Encoding.PEM)
    )
    return issuing


def test_root_and_crl_endpoints_verify_with_openssl(client, cli, tmp_path):
    root_pem = cli("pki", "root").output
    root = x509.load_pem_x509_certificate(root_pem.encode())
    assert root.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    issuing = _save_issuing_pem(client, tmp_path)
    assert issuing.issuer == root.subject

    response = client.get("/pki/crl/issuing.crl")
    assert response.mimetype == "application/pkix-crl"
    (tmp_path / "issuing.crl").write_bytes(response.data)
    check = subprocess.run(
        [
            "openssl",
            "crl",
            "-inform",
            "DER",
            "-in",
            str(tmp_path / "issuing.crl"),
            "-CAfile",
            str(tmp_path / "issuing.pem"),
            "-noout",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert "verify OK" in check.stdout + check.stderr
    assert client.get("/pki/crl/nothing.crl").status_code == 404


def test_tsa_answers_rfc3161_and_openssl_verifies_the_token(client, cli, tmp_path):
    data = "借款合同".encode()
    digest = hashes.Hash(hashes.SHA256())
    digest.update(data)
    response = client.post(
        "/tsa",
        data=_timestamp_request(digest.finalize()),
        content_type="application/timestamp-query",
    )
    assert response.status_code == 200
    assert response.mimetype == "application/timestamp-reply"
    reply = tsp.TimeStampResp.load(response.data)
    assert reply["status"]["status"].native == "granted"
    info = reply["time_stamp_token"]["content"]["encap_content_info"]["content"].parsed
    assert info["nonce"].native == 42
    assert (
        abs(info["gen_time"].native - datetime.datetime.now(datetime.UTC)).seconds < 60
    )

    (tmp_path / "data.bin").write_bytes(data)
    (tmp_path / "reply.tsr").write_bytes(response.data)
    (tmp_path / "root.pem").write_text(cli("pki", "root").output)
    _save_issuing_pem(client, tmp_path)
    check = subprocess.run(
        [
            "openssl",
            "ts",
            "-verify",
            "-data",
            str(tmp_path / "data.bin"),
            "-in",
            str(tmp_path / "reply.tsr"),
            "-CAfile",
            str(tmp_path / "root.pem"),
            "-untrusted",
            str(tmp_path / "issuing.pem"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert "Verification: OK" in check.stdout, check.stdout + check.stderr


def _openssl_reply_text(reply: bytes, tmp_path) -> str:
    (tmp_path / "reply.tsr").write_bytes(reply)
    return subprocess.run(
        ["openssl", "ts", "-reply", "-in", str(tmp_path / "reply.tsr"), "-text"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_tsa_rejects_bad_requests(client, tmp_path):
    garbage = client.post(
        "/tsa", data=b"\x30\x03\x02\x01", content_type="application/timestamp-query"
    )
    text = _openssl_reply_text(garbage.data, tmp_path)
    assert "Status: Rejected" in text
    assert "malformed request" in text
    short = client.post(
        "/tsa",
        data=_timestamp_request(b"\x01" * 20),
        content_type="application/timestamp-query",
    )
    text = _openssl_reply_text(short.data, tmp_path)
    assert "Status: Rejected" in text
    assert "the data submitted has the wrong format" in text
    wrong_type = client.post("/tsa", data=b"x", content_type="text/plain")
    assert wrong_type.status_code == 415
    assert wrong_type.get_json()["code"] == "unsupported_media_type"


def test_private_keys_are_encrypted_at_rest(home):
    key_files = list((home / "keys").glob("*.key"))
    assert len(key_files) >= 8  # root, issuing, TSA and five seals
    for path in key_files:
        blob = path.read_bytes()
        assert blob.startswith(b"SBK1")
        assert b"PRIVATE KEY" not in blob
        for candidate in (blob, blob[4:]):
            with pytest.raises(ValueError, match="Could not deserialize key data"):
                serialization.load_der_private_key(candidate, password=None)


def test_wrong_master_key_is_a_clear_error(home, tmp_path, seal_names):
    import base64

    other = base64.urlsafe_b64encode(b"\x01" * 32).decode()
    from click.testing import CliRunner

    from bridge.cli import main

    source = tmp_path / "in.pdf"
    source.write_bytes(chinese_pdf(1))
    result = CliRunner(env={"SEALBRIDGE_MASTER_KEY": other}).invoke(
        main,
        [
            "--home",
            str(home),
            "seal",
            str(source),
            str(tmp_path / "o.pdf"),
            "--seal",
            seal_names["official"],
            "--x",
            "100",
            "--y",
            "100",
        ],
    )
    assert result.exit_code == 2
    assert "wrong master key" in result.output


def _foreign_certificate(subject, issuer, public_key, signing_key, extensions):
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=300))
    )
    for extension in extensions:
        builder = builder.add_extension(extension, critical=True)
    return builder.sign(signing_key, hashes.SHA256())


def _external_p12() -> tuple[bytes, bytes]:
    """A PKCS#12 from a foreign CA (as a commercial CA would issue), and that CA."""
    ca_key = rsa.generate_private_key(65537, 2048)
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "某CA 根证书")])
    ca = _foreign_certificate(
        ca_name,
        ca_name,
        ca_key.public_key(),
        ca_key,
        [x509.BasicConstraints(ca=True, path_length=None)],
    )
    key = rsa.generate_private_key(65537, 2048)
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "山东重汽经销有限公司"),
            x509.NameAttribute(NameOID.COMMON_NAME, "山东重汽经销有限公司电子公章"),
        ]
    )
    signing_usage = x509.KeyUsage(
        True, True, False, False, False, False, False, False, False
    )
    cert = _foreign_certificate(
        subject, ca_name, key.public_key(), ca_key, [signing_usage]
    )
    p12 = pkcs12.serialize_key_and_certificates(
        b"dealer", key, cert, [ca], serialization.BestAvailableEncryption(b"p12-pass")
    )
    return p12, ca.public_bytes(serialization.Encoding.PEM)


def test_pkcs12_import_seals_and_verifies_against_its_ca(
    seal_file, home, cli, tmp_path, monkeypatch
):
    p12, ca_pem = _external_p12()
    (tmp_path / "dealer.p12").write_bytes(p12)
    wrong = cli(
        "seals",
        "import-p12",
        str(tmp_path / "dealer.p12"),
        "--name",
        "经销商章",
        "--password",
        "nope",
    )
    assert wrong.exit_code == 2
    assert "invalid_p12" in wrong.output
    imported = cli(
        "seals",
        "import-p12",
        str(tmp_path / "dealer.p12"),
        "--name",
        "经销商章",
        "--password",
        "p12-pass",
        "--kind",
        "contract",
    )
    assert imported.exit_code == 0, imported.output
    assert json.loads(imported.output)["company"] == "山东重汽经销有限公司"

    source = tmp_path / "in.pdf"
    source.write_bytes(chinese_pdf(1))
    sealed = tmp_path / "sealed.pdf"
    seal_file(source, sealed, "经销商章", "--x", "300", "--y", "300")
    assert pdfsig(sealed)[0]["Signature Validation"] == "Signature is Valid."

    untrusted = json.loads(cli("verify", str(sealed), "--json").output)
    assert untrusted["indication"] == "INDETERMINATE"
    (tmp_path / "ca.pem").write_bytes(ca_pem)
    monkeypatch.setenv("SEALBRIDGE_TRUST_ROOT_FILES", str(tmp_path / "ca.pem"))
    trusted = json.loads(cli("verify", str(sealed), "--json").output)
    assert trusted["signatures"][0]["trusted"] is True


def test_ecdsa_pki_and_seals(tmp_path):
    from click.testing import CliRunner

    from bridge.cli import main

    home = tmp_path / "ec"
    env = {
        "SEALBRIDGE_PKI_KEY_ALGORITHM": "ecdsa-p256",
        "SEALBRIDGE_SEAL_KEY_ALGORITHM": "ecdsa-p256",
    }
    runner = CliRunner(env=env)

    def run(*args):
        result = runner.invoke(main, ["--home", str(home), *args])
        assert result.exit_code == 0, result.output
        return result

    run("seals", "create", "--company", "重汽汽车金融有限公司", "--kind", "contract")
    source = tmp_path / "in.pdf"
    source.write_bytes(chinese_pdf(1))
    run(
        "seal",
        str(source),
        str(tmp_path / "ec.pdf"),
        "--seal",
        "重汽汽车金融有限公司合同专用章",
        "--x",
        "300",
        "--y",
        "300",
        "--level",
        "B-LTA",
    )
    root = x509.load_pem_x509_certificate(run("pki", "root").output.encode())
    assert root.signature_algorithm_oid == x509.SignatureAlgorithmOID.ECDSA_WITH_SHA256
    signature = pdfsig(tmp_path / "ec.pdf")[0]
    assert signature["Signature Validation"] == "Signature is Valid."
    report = json.loads(
        runner.invoke(
            main, ["--home", str(home), "verify", str(tmp_path / "ec.pdf"), "--json"]
        ).output
    )
    assert report["indication"] == "PASSED"


@pytest.fixture
def live_bridge(home):
    """The bridge served over real HTTP on loopback (its TSA for other instances)."""
    app = create_app({"HOME": str(home)})
    with waitress_server(app, threads=2) as url:
        yield url


def test_external_tsa_over_http_and_failover(
    live_bridge, home, tmp_path, seal_names, monkeypatch
):
    from click.testing import CliRunner

    from bridge.cli import main

    source = tmp_path / "in.pdf"
    source.write_bytes(chinese_pdf(1))
    dead = "http://127.0.0.1:9/tsa"
    env = {
        "SEALBRIDGE_TSA_URLS": f"{dead},{live_bridge}/tsa",
        "SEALBRIDGE_TSA_ATTEMPTS": "1",
    }
    result = CliRunner(env=env).invoke(
        main,
        [
            "--home",
            str(home),
            "seal",
            str(source),
            str(tmp_path / "ts.pdf"),
            "--seal",
            seal_names["official"],
            "--x",
            "300",
            "--y",
            "300",
            "--level",
            "B-T",
        ],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(
        CliRunner()
        .invoke(
            main, ["--home", str(home), "verify", str(tmp_path / "ts.pdf"), "--json"]
        )
        .output
    )
    assert report["signatures"][0]["timestamp_time"] is not None

    down = {"SEALBRIDGE_TSA_URLS": dead, "SEALBRIDGE_TSA_ATTEMPTS": "2"}
    result = CliRunner(env=down).invoke(
        main,
        [
            "--home",
            str(home),
            "seal",
            str(source),
            str(tmp_path / "no.pdf"),
            "--seal",
            seal_names["official"],
            "--x",
            "300",
            "--y",
            "300",
        ],
    )
    assert result.exit_code == 2
    assert "[tsa_unavailable]" in result.output
    assert not (tmp_path / "no.pdf").exists()


def test_verify_endpoint_reports_each_signature(
    seal_file, client, tmp_path, seal_names
):
    source = tmp_path / "in.pdf"
    source.write_bytes(chinese_pdf(2))
    seal_file(
        source,
        tmp_path / "a.pdf",
        seal_names["official"],
        "--page",
        "1",
        "--x",
        "300",
        "--y",
        "300",
        check=False,
    )
    seal_file(
        tmp_path / "a.pdf",
        tmp_path / "b.pdf",
        seal_names["contract"],
        "--riding",
        check=False,
    )
    response = client.post(
        "/api/v1/verify",
        data={"file": (io.BytesIO((tmp_path / "b.pdf").read_bytes()), "b.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    report = response.get_json()
    assert report["indication"] == "PASSED"
    first, second = report["signatures"]
    assert first["field_name"] == "Seal1"
    assert first["page"] == 1
    assert "中国重型汽车集团有限公司" in first["signer"]
    assert second["pages"] == [1, 2]
    assert first["covers_whole_document"] is False
    assert second["covers_whole_document"] is True
