"""Tests of the PAdES verification report against a throwaway PKI.

The PKI, the documents and their signatures are made once per module with
``cryptography``, reportlab and pyHanko, so that every case runs on real
signatures; poppler's ``pdfsig`` cross-checks the good files independently.
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from io import BytesIO
from typing import Any

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers, timestamps
from pyhanko.sign.fields import SigFieldSpec, SigSeedSubFilter
from pyhanko.sign.signers.cms_embedder import PdfCMSEmbedder, SigIOSetup, SigObjSetup
from pyhanko.sign.signers.pdf_byterange import SignatureObject
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from bridge.errors import EncryptedPdfError, FileTooLargeError, InvalidPdfError
from bridge.signing.verify import (
    FAILED,
    INDETERMINATE,
    NO_SIGNATURE_FOUND,
    PASSED,
    VerificationReport,
    verify_pdf,
)
from tests.pdfs import chinese_pdf, pdfsig

NOW = datetime.now(UTC)
CRL_URL = "http://crl.sealbridge.test/root.crl"
SEAL_CN = "合同专用章"
TSA_CN = "Sealbridge Test TSA"
BOX_1 = (100.0, 100.0, 200.0, 200.0)
BOX_2 = (300.0, 120.0, 420.0, 240.0)
RIDING_BOXES = (
    (560.0, 400.0, 595.0, 480.0),
    (561.5, 300.0, 595.0, 380.0),
    (563.0, 200.0, 595.0, 280.0),
)
ISO_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


@dataclass(frozen=True)
class Pki:
    """The throwaway PKI: a root, its CRL and signers for seals and timestamps."""

    root: asn1_x509.Certificate
    other_root: asn1_x509.Certificate
    crl: bytes
    signer: signers.SimpleSigner
    timestamper: timestamps.DummyTimeStamper


@dataclass(frozen=True)
class Documents:
    """Every PDF the tests verify, made once."""

    unsigned: bytes
    two_seals: bytes
    lt: bytes
    lta: bytes
    riding: bytes


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "示例科技有限公司"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _key_usage(*, seal: bool = False, ca: bool = False) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not ca,
        content_commitment=seal,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


def _certificate(
    subject: x509.Name,
    key: rsa.RSAPrivateKey,
    issuer: x509.Name,
    issuer_key: rsa.RSAPrivateKey,
    extensions: list[tuple[x509.ExtensionType, bool]],
) -> x509.Certificate:
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - timedelta(days=1))
        .not_valid_after(NOW + timedelta(days=365))
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            False,
        )
    )
    for extension, critical in extensions:
        builder = builder.add_extension(extension, critical)
    return builder.sign(issuer_key, hashes.SHA256())


def _root(common_name: str) -> tuple[x509.Name, rsa.RSAPrivateKey, x509.Certificate]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = _name(common_name)
    extensions = [
        (x509.BasicConstraints(ca=True, path_length=None), True),
        (_key_usage(ca=True), True),
    ]
    return name, key, _certificate(name, key, name, key, extensions)


def _leaf(
    common_name: str,
    issuer: tuple[x509.Name, rsa.RSAPrivateKey, x509.Certificate],
    extensions: list[tuple[x509.ExtensionType, bool]],
) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    issuer_name, issuer_key, _ = issuer
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    crl_point = x509.DistributionPoint(
        [x509.UniformResourceIdentifier(CRL_URL)], None, None, None
    )
    extensions = [
        (x509.BasicConstraints(ca=False, path_length=None), True),
        (x509.CRLDistributionPoints([crl_point]), False),
        *extensions,
    ]
    cert = _certificate(_name(common_name), key, issuer_name, issuer_key, extensions)
    return key, cert


def _asn1_cert(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def _asn1_key(key: rsa.RSAPrivateKey) -> asn1_keys.PrivateKeyInfo:
    return asn1_keys.PrivateKeyInfo.load(
        key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )


@pytest.fixture(scope="module")
def pki() -> Pki:
    root = _root("Sealbridge 测试根 CA")
    root_name, root_key, root_cert = root
    seal_key, seal_cert = _leaf(SEAL_CN, root, [(_key_usage(seal=True), True)])
    tsa_key, tsa_cert = _leaf(
        TSA_CN,
        root,
        [
            (_key_usage(), True),
            (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), True),
        ],
    )
    crl = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(root_name)
        .last_update(NOW - timedelta(hours=1))
        .next_update(NOW + timedelta(days=7))
        .add_extension(x509.CRLNumber(1), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()),
            False,
        )
        .sign(root_key, hashes.SHA256())
    )
    root_asn1 = _asn1_cert(root_cert)
    return Pki(
        root=root_asn1,
        other_root=_asn1_cert(_root("Someone Else's CA")[2]),
        crl=crl.public_bytes(serialization.Encoding.DER),
        signer=signers.SimpleSigner(
            _asn1_cert(seal_cert),
            _asn1_key(seal_key),
            SimpleCertificateStore.from_certs([root_asn1]),
        ),
        timestamper=timestamps.DummyTimeStamper(
            tsa_cert=_asn1_cert(tsa_cert),
            tsa_key=_asn1_key(tsa_key),
            certs_to_embed=SimpleCertificateStore.from_certs([root_asn1]),
        ),
    )


def _sign(
    data: bytes,
    pki: Pki,
    field_name: str,
    box: tuple[float, ...],
    page: int,
    *,
    timestamp: bool = False,
    **metadata: object,
) -> bytes:
    pdf_signer = signers.PdfSigner(
        signers.PdfSignatureMetadata(
            field_name=field_name, subfilter=SigSeedSubFilter.PADES, **metadata
        ),
        pki.signer,
        timestamper=pki.timestamper if timestamp else None,
        new_field_spec=SigFieldSpec(
            field_name, box=tuple(int(v) for v in box), on_page=page
        ),
    )
    writer = IncrementalPdfFileWriter(BytesIO(data), strict=False)
    return pdf_signer.sign_pdf(writer).getvalue()


def _sign_riding(data: bytes, pki: Pki) -> bytes:
    """Sign one field whose widgets are slices on every page (a riding seal).

    PdfSigner cannot do this: it insists on a single widget per field to draw
    the appearance, so the field is built by hand and the CMS embedded with
    the low-level PdfCMSEmbedder, which leaves appearances alone.
    """
    writer = IncrementalPdfFileWriter(BytesIO(data), strict=False)
    first, *others = RIDING_BOXES
    fields.append_signature_field(
        writer,
        SigFieldSpec(
            "Riding",
            box=tuple(int(v) for v in first),
            on_page=0,
            combine_annotation=False,
        ),
    )
    (_, _, field_ref), *_ = fields.enumerate_sig_fields(writer, with_name="Riding")
    for page_index, box in enumerate(others, start=1):
        page_ref = writer.find_page_for_modification(page_index)[0]
        widget_ref = writer.add_object(
            generic.DictionaryObject(
                {
                    "/Type": generic.NameObject("/Annot"),
                    "/Subtype": generic.NameObject("/Widget"),
                    "/F": generic.NumberObject(132),
                    "/Rect": generic.ArrayObject(generic.FloatObject(v) for v in box),
                    "/P": page_ref,
                    "/Parent": field_ref,
                }
            )
        )
        writer.register_annotation(page_ref, widget_ref)
        field_ref.get_object()["/Kids"].append(widget_ref)
    return _embed_signature(writer, "Riding", pki)


def _embed_signature(
    writer: IncrementalPdfFileWriter, field_name: str, pki: Pki
) -> bytes:
    """Sign an existing field the low-level way: no appearance, no checks."""
    embedder = PdfCMSEmbedder().write_cms(field_name=field_name, writer=writer)
    next(embedder)
    embedder.send(
        SigObjSetup(
            sig_placeholder=SignatureObject(
                subfilter=SigSeedSubFilter.PADES, bytes_reserved=16384
            )
        )
    )
    prepared, output = embedder.send(SigIOSetup(md_algorithm="sha256"))
    signed_data = asyncio.run(
        pki.signer.async_sign(prepared.document_digest, "sha256", use_pades=True)
    )
    embedder.send(signed_data)
    return output.getvalue()


@pytest.fixture(scope="module")
def documents(pki: Pki) -> Documents:
    unsigned = chinese_pdf(pages=3)
    one_seal = _sign(unsigned, pki, "Seal1", BOX_1, 0)

    def ltv_context() -> ValidationContext:
        return ValidationContext(
            trust_roots=[pki.root], crls=[pki.crl], allow_fetching=False
        )

    return Documents(
        unsigned=unsigned,
        two_seals=_sign(one_seal, pki, "Seal2", BOX_2, 2, timestamp=True),
        lt=_sign(
            unsigned,
            pki,
            "Seal1",
            BOX_1,
            0,
            timestamp=True,
            embed_validation_info=True,
            validation_context=ltv_context(),
        ),
        lta=_sign(
            unsigned,
            pki,
            "Seal1",
            BOX_1,
            0,
            timestamp=True,
            embed_validation_info=True,
            use_pades_lta=True,
            validation_context=ltv_context(),
        ),
        riding=_sign_riding(unsigned, pki),
    )


def _verify(data: bytes, pki: Pki, **options: Any) -> VerificationReport:
    return verify_pdf(data, trust_roots=[pki.root], **options)


def test_two_sequential_seals_pass(pki: Pki, documents: Documents) -> None:
    report = _verify(documents.two_seals, pki)

    assert report.indication == PASSED
    assert report.sub_indication is None
    first, second = report.signatures
    assert [first.field_name, second.field_name] == ["Seal1", "Seal2"]
    for entry in (first, second):
        assert entry.kind == "signature"
        assert entry.indication == PASSED
        assert entry.intact
        assert entry.valid
        assert entry.trusted
        assert entry.trust_problem is None
        assert entry.signer_common_name == SEAL_CN
        assert SEAL_CN in entry.signer
        assert "示例科技有限公司" in entry.signer
        assert ISO_UTC.fullmatch(entry.signing_time)
    assert (first.level, second.level) == ("B-B", "B-T")
    assert (first.page, first.box, first.pages) == (1, BOX_1, (1,))
    assert (second.page, second.box, second.boxes) == (3, BOX_2, (BOX_2,))
    assert first.timestamp_time is None
    assert first.timestamp_authority is None
    assert ISO_UTC.fullmatch(second.timestamp_time)
    assert TSA_CN in second.timestamp_authority
    assert not first.covers_whole_document
    assert first.modifications == "form_filling"
    assert first.modifications_text == (
        "Later revisions: form filling (signatures added)."
    )
    assert second.covers_whole_document
    assert second.modifications == "none"
    as_json = json.loads(json.dumps(report.to_dict(), ensure_ascii=False))
    assert as_json["signatures"][1]["box"] == list(BOX_2)
    assert as_json["signatures"][1]["pages"] == [3]


def test_lt_and_lta_levels(pki: Pki, documents: Documents) -> None:
    lt = _verify(documents.lt, pki)
    lta = _verify(documents.lta, pki)

    assert lt.indication == PASSED
    (seal,) = lt.signatures
    assert seal.level == "B-LT"
    assert seal.modifications == "lta_updates"
    assert lta.indication == PASSED
    seal, timestamp = lta.signatures
    assert seal.level == "B-LTA"
    assert timestamp.kind == "document_timestamp"
    assert timestamp.indication == PASSED
    assert timestamp.level is None
    assert timestamp.page is None
    assert timestamp.signer_common_name == TSA_CN
    assert timestamp.signing_time == timestamp.timestamp_time


def test_riding_seal_lists_every_slice(pki: Pki, documents: Documents) -> None:
    (entry,) = _verify(documents.riding, pki).signatures

    assert entry.indication == PASSED
    assert entry.pages == (1, 2, 3)
    assert entry.boxes == RIDING_BOXES
    assert (entry.page, entry.box) == (1, RIDING_BOXES[0])
    assert entry.to_dict()["boxes"] == [list(box) for box in RIDING_BOXES]


def test_untrusted_root_is_indeterminate(pki: Pki, documents: Documents) -> None:
    report = verify_pdf(documents.two_seals, trust_roots=[pki.other_root])

    assert report.indication == INDETERMINATE
    for entry in report.signatures:
        assert entry.indication == INDETERMINATE
        assert entry.intact
        assert entry.valid
        assert not entry.trusted
        assert "NO_CERTIFICATE_CHAIN_FOUND" in entry.trust_problem


def test_expired_at_validation_time_is_indeterminate(
    pki: Pki, documents: Documents
) -> None:
    report = _verify(documents.two_seals, pki, now=NOW + timedelta(days=800))

    assert report.indication == INDETERMINATE
    assert "OUT_OF_BOUNDS_NO_POE" in report.signatures[0].trust_problem


def test_flipped_byte_fails(pki: Pki, documents: Documents) -> None:
    data = bytearray(documents.two_seals)
    position = data.index(b"ReportLab")
    data[position] ^= 0x20

    report = _verify(bytes(data), pki)

    assert report.indication == FAILED
    assert report.signatures[0].indication == FAILED
    assert not report.signatures[0].intact


def test_page_changed_after_signing_fails(pki: Pki, documents: Documents) -> None:
    writer = IncrementalPdfFileWriter(BytesIO(documents.two_seals), strict=False)
    stream = generic.StreamObject(stream_data=b"0 0 1 rg 50 50 200 200 re f")
    writer.add_stream_to_page(0, writer.add_object(stream))
    output = BytesIO()
    writer.write(output)

    report = _verify(output.getvalue(), pki)

    assert report.indication == FAILED
    for entry in report.signatures:
        assert entry.indication == FAILED
        assert entry.intact
        assert entry.valid
        assert entry.modifications == "other"
        assert "disallowed" in entry.modifications_text


def test_change_forbidden_by_certification_lock_fails(
    pki: Pki, documents: Documents
) -> None:
    writer = IncrementalPdfFileWriter(BytesIO(documents.unsigned), strict=False)
    fields.append_signature_field(
        writer, SigFieldSpec("Later", box=(300, 100, 400, 200))
    )
    prepared = BytesIO()
    writer.write(prepared)
    certified = _sign(
        prepared.getvalue(),
        pki,
        "Author",
        BOX_1,
        0,
        certify=True,
        docmdp_permissions=fields.MDPPerm.NO_CHANGES,
    )
    # PdfSigner refuses to sign after a NO_CHANGES certification; do it anyway.
    writer = IncrementalPdfFileWriter(BytesIO(certified), strict=False)

    author, later = _verify(_embed_signature(writer, "Later", pki), pki).signatures

    assert author.indication == FAILED
    assert author.modifications == "form_filling"
    assert author.modifications_text.endswith("which the signature's lock forbids.")
    assert later.indication == PASSED


def test_malformed_signature_is_reported_not_raised(
    pki: Pki, documents: Documents
) -> None:
    data = documents.two_seals
    start = data.index(b"/Contents <") + len(b"/Contents <")
    broken = data[:start] + b"0" * 64 + data[start + 64 :]

    report = _verify(broken, pki)

    assert report.indication == FAILED
    first, second = report.signatures
    assert first.indication == FAILED
    assert not first.intact
    assert "malformed" in first.trust_problem
    assert first.page == 1
    assert second.field_name == "Seal2"


def test_no_signature(pki: Pki, documents: Documents) -> None:
    report = _verify(documents.unsigned, pki)

    assert report.indication == INDETERMINATE
    assert report.sub_indication == NO_SIGNATURE_FOUND
    assert report.signatures == ()
    assert report.to_dict() == {
        "indication": INDETERMINATE,
        "sub_indication": NO_SIGNATURE_FOUND,
        "signatures": [],
    }


def test_unusable_input_raises_bridge_errors(pki: Pki, documents: Documents) -> None:
    with pytest.raises(InvalidPdfError, match="not a PDF"):
        _verify(b"PK\x03\x04 this is a zip file", pki)
    with pytest.raises(InvalidPdfError, match="damaged or truncated"):
        _verify(documents.two_seals[: len(documents.two_seals) // 2], pki)
    with pytest.raises(EncryptedPdfError, match="encrypted"):
        _verify(chinese_pdf(pages=3, encrypt="pw"), pki)
    with pytest.raises(FileTooLargeError):
        _verify(documents.two_seals, pki, max_bytes=1000)


@pytest.mark.skipif(shutil.which("pdfsig") is None, reason="poppler-utils absent")
def test_pdfsig_agrees_on_good_files(documents: Documents, tmp_path) -> None:
    # pdfsig does not validate document timestamps (ETSI.RFC3161): skip them.
    for name in ("two_seals", "lt", "lta", "riding"):
        path = tmp_path / f"{name}.pdf"
        path.write_bytes(getattr(documents, name))
        seals = [
            seal
            for seal in pdfsig(path)
            if seal.get("Signature Type") == "ETSI.CAdES.detached"
        ]
        assert seals, name
        for seal in seals:
            assert "Signature is Valid" in seal["Signature Validation"], seal
