"""Seals per second: Sealbridge's sealer against the straightforward pyHanko recipe.

Both seal the same 7-page Chinese PDF with the same RSA-2048 key, certificate
chain and seal image, visibly, at PAdES B-B. The baseline loads the signer and
image and lets pyHanko estimate the signature size for every document, as the
pyHanko documentation shows it. Run: ``.venv/bin/python -m bench.seal``.
"""

from __future__ import annotations

import argparse
import io
import tempfile
import time
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.images import PdfImage
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.stamp import StaticStampStyle

from bridge import create_app
from bridge.services import pki
from bridge.services.sealing import _sealer
from bridge.services.seals import create_seal, find_seal
from bridge.signing.placement import PagePlacement
from bridge.signing.sealer import SealOptions, SignatureLevel
from tests.pdfs import chinese_pdf

BOX = (320.0, 140.0, 439.0, 259.0)  # 42 mm square, centre (379.5, 199.5)


def _export_credentials(home: Path, seal) -> tuple[Path, Path, Path]:
    """Write the seal's key, certificate chain and image as files for the baseline."""
    from bridge.runtime import runtime

    key = runtime().keystore.load(seal.certificate.key_ref)
    key_path, cert_path, image_path = (
        home / "key.pem",
        home / "cert.pem",
        home / "seal.png",
    )
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    chain = [pki.as_asn1(seal.certificate), *pki.certificate_chain(seal.certificate)]
    from asn1crypto import pem

    cert_path.write_bytes(pem.armor("CERTIFICATE", chain[0].dump()))
    (home / "chain.pem").write_bytes(
        b"".join(pem.armor("CERTIFICATE", c.dump()) for c in chain[1:])
    )
    image_path.write_bytes(seal.image_png)
    return key_path, cert_path, image_path


def baseline_seal(pdf: bytes, key: Path, cert: Path, chain: Path, image: Path) -> bytes:
    """The straightforward recipe from pyHanko's documentation."""
    signer = signers.SimpleSigner.load(
        str(key), str(cert), ca_chain_files=(str(chain),)
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    fields.append_signature_field(
        writer, fields.SigFieldSpec("Seal1", on_page=6, box=BOX)
    )
    style = StaticStampStyle(background=PdfImage(str(image)), border_width=0)
    output = io.BytesIO()
    signers.PdfSigner(
        signers.PdfSignatureMetadata(
            field_name="Seal1", subfilter=SigSeedSubFilter.PADES
        ),
        signer=signer,
        stamp_style=style,
    ).sign_pdf(writer, output=output)
    return output.getvalue()


def _rate(function, count: int) -> float:
    function()  # warm-up: caches, lazy imports
    started = time.perf_counter()
    for _ in range(count):
        function()
    return count / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=100, help="seals for Sealbridge")
    parser.add_argument("--baseline-count", type=int, default=20)
    args = parser.parse_args()

    pdf = chinese_pdf(7)
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder)
        app = create_app(
            {
                "HOME": str(home),
                "SEAL_KEY_ALGORITHM": "rsa2048",
                "PKI_KEY_ALGORITHM": "rsa2048",
            }
        )
        with app.app_context():
            summary = create_seal(company="中国重型汽车集团有限公司", kind="official")
            seal = find_seal(summary.id)
            sealer = _sealer(seal)
            credentials = _export_credentials(home, seal)
            options = SealOptions(
                placement=PagePlacement(
                    7, (BOX[0] + BOX[2]) / 2, (BOX[1] + BOX[3]) / 2
                ),
                level=SignatureLevel.B_B,
            )
            ours = _rate(lambda: sealer.seal(pdf, options), args.count)
        key, cert, image = credentials
        chain = home / "chain.pem"
        baseline = _rate(
            lambda: baseline_seal(pdf, key, cert, chain, image), args.baseline_count
        )

    print(f"sealbridge: {ours:.1f} seals/s ({1000 / ours:.1f} ms per seal)")
    print(f"baseline:   {baseline:.1f} seals/s ({1000 / baseline:.1f} ms per seal)")
    ratio = ours / baseline
    print(f"seals_per_s={ours:.1f} baseline_per_s={baseline:.1f} ratio={ratio:.2f}")


if __name__ == "__main__":
    main()
