"""Mutation fuzzing of the PDF and .docx entry points, for minutes or hours.

Not part of CI (``tests/security`` runs the corpus it produces). Run from the
repository root::

    .venv/bin/python -m tools.fuzz_inputs --minutes 5

Seeds are the test suite's own documents and hostile files; each round
mutates one (bit flips, cut, duplicated or spliced chunks, numbers replaced,
for .docx also a member's XML) and feeds it, in-process, to:

- ``pdf-verify``: ``services.verification.verify`` (``POST /api/v1/verify``)
- ``pdf-upload``: ``services.contracts.check_pdf_upload`` (contract uploads)
- ``pdf-seal``: ``services.sealing.seal_pdf`` with a page or keyword placement
  (what signing and the operator and OA stamp pages do with a stored PDF)
- ``docx-screen``: ``documents.docx_input.check_docx`` (``/api/v1/convert``,
  red-header bodies)

A finding is an exception that is not a 4xx ``BridgeError``, or an input
taking longer than ``--hang-seconds``. Its input is written to ``--corpus``
(default ``tests/security/corpus``), where ``tests/security/test_files.py``
sends it through the HTTP endpoints on every CI run.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import random
import re
import signal
import sys
import tempfile
import time
import traceback
import zipfile
from collections.abc import Callable
from pathlib import Path

from bridge import create_app
from bridge.documents.docx_input import check_docx
from bridge.errors import BridgeError
from bridge.extensions import db
from bridge.services import contracts, pki, seals, verification
from bridge.services.sealing import seal_pdf
from bridge.signing.sealer import SealOptions, SignatureLevel
from tests.docx_files import chinese_docx
from tests.pdfs import chinese_pdf
from tests.security.hostile_files import DOCXS, PDFS, SEAL_PLACEMENTS


class Hang(Exception):
    """The input ran past the time limit."""


def _alarm(_signum, _frame):
    raise Hang


def mutate_bytes(data: bytes, rng: random.Random, others: list[bytes]) -> bytes:
    """One random structural-agnostic change of ``data``."""
    data = bytearray(data)
    if not data:
        return bytes(rng.randbytes(rng.randint(1, 64)))
    choice = rng.randrange(6)
    at = rng.randrange(len(data))
    if choice == 0:  # flip a few bits
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
    elif choice == 1:  # cut a chunk
        del data[at : at + rng.randint(1, max(1, len(data) // 8))]
    elif choice == 2:  # duplicate a chunk
        chunk = data[at : at + rng.randint(1, 512)]
        data[at:at] = chunk * rng.randint(1, 50)
    elif choice == 3:  # splice with another seed
        other = rng.choice(others)
        data = data[:at] + other[rng.randrange(len(other) or 1) :]
    elif choice == 4:  # truncate
        data = data[:at]
    else:  # replace a number
        numbers = list(re.finditer(rb"\d+", data))
        if numbers:
            match = rng.choice(numbers)
            new = str(rng.choice([0, -1, 2**31, 2**63, 10**40, rng.randint(0, 999)]))
            data[match.start() : match.end()] = new.encode()
    return bytes(data)


def mutate_docx(data: bytes, rng: random.Random, others: list[bytes]) -> bytes:
    """Mutate one member of the package (or the raw bytes if it is no zip)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            members = {i.filename: package.read(i) for i in package.infolist()}
    except Exception:
        return mutate_bytes(data, rng, others)
    if not members or rng.random() < 0.3:
        return mutate_bytes(data, rng, others)
    name = rng.choice(sorted(members))
    members[name] = mutate_bytes(members[name], rng, others)
    if rng.random() < 0.1:
        members[
            rng.choice(["../x.xml", "word/../../y", "C:evil", "word/vbaProject.bin"])
        ] = b"x"
    buffer = io.BytesIO()
    with zipfile.ZipFile(
        buffer, "w", rng.choice([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
    ) as out:
        for member, content in members.items():
            out.writestr(member, content)
    return buffer.getvalue()


def _seal(data: bytes) -> None:
    """Seal at B-B (no timestamp: the TSA is not under test here)."""
    placement = random.choice(SEAL_PLACEMENTS)
    seal = seals.list_seals()[0].name
    seal_pdf(data, seal, SealOptions(placement, level=SignatureLevel.B_B))
    db.session.rollback()  # no usage log piling up


def _targets() -> dict[str, tuple[Callable[[bytes], object], str]]:
    return {
        "pdf-verify": (verification.verify, ".pdf"),
        "pdf-upload": (contracts.check_pdf_upload, ".pdf"),
        "pdf-seal": (_seal, ".pdf"),
        "docx-screen": (check_docx, ".docx"),
    }


def run_one(target: Callable[[bytes], object], data: bytes, hang: float) -> str | None:
    """None if ``target`` answered or refused cleanly, else what went wrong."""
    signal.setitimer(signal.ITIMER_REAL, hang)
    try:
        target(data)
    except BridgeError as exc:
        if exc.status >= 500:
            return f"{exc.status} {exc.code}: {exc.message}"
    except Hang:
        return f"no answer within {hang} s"
    except Exception:
        return traceback.format_exc(limit=4)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=5)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--hang-seconds", type=float, default=20)
    parser.add_argument("--corpus", type=Path, default=Path("tests/security/corpus"))
    parser.add_argument("--only", choices=sorted(_targets()), action="append")
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else random.randrange(2**32)
    rng = random.Random(seed)
    signal.signal(signal.SIGALRM, _alarm)
    seeds = {
        ".pdf": [chinese_pdf(1), chinese_pdf(2)]
        + [
            f()
            for f in PDFS.values()
            if f.__name__ not in {"content_bomb", "many_pages"}
        ],
        ".docx": [chinese_docx()]
        + [f() for f in DOCXS.values() if f.__name__ != "zip_bomb"],
    }
    targets = {k: v for k, v in _targets().items() if not args.only or k in args.only}
    args.corpus.mkdir(parents=True, exist_ok=True)
    home = Path(tempfile.mkdtemp(prefix="sealbridge-fuzz-"))
    app = create_app({"HOME": str(home)})
    runs = findings = 0
    kinds: set[tuple[str, str]] = set()
    deadline = time.monotonic() + args.minutes * 60
    print(f"fuzzing {', '.join(targets)} for {args.minutes} min, seed {seed}")
    with app.app_context():
        pki.ensure_pki()
        seals.create_seal(company="重汽汽车金融有限公司", kind="contract", holder=None)
        while time.monotonic() < deadline:
            name = rng.choice(sorted(targets))
            target, suffix = targets[name]
            mutate = mutate_docx if suffix == ".docx" else mutate_bytes
            data = rng.choice(seeds[suffix])
            for _ in range(rng.randint(1, 4)):
                data = mutate(data, rng, seeds[suffix])
            runs += 1
            problem = run_one(target, data, args.hang_seconds)
            if problem is None:
                continue
            findings += 1
            kind = (name, problem.strip().splitlines()[-1][:120])
            if kind in kinds:
                continue
            kinds.add(kind)  # one input per kind of finding is enough
            digest = hashlib.sha256(data).hexdigest()[:16]
            path = args.corpus / f"{name}-{digest}{suffix}"
            path.write_bytes(data)
            print(f"FINDING {path}: {kind[1]}", flush=True)
    print(f"{runs} inputs, {findings} findings of {len(kinds)} kinds")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
