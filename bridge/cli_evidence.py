"""``sealbridge evidence``, ``verify-package`` and ``archive``: proof for operators.

``verify-package`` needs no instance: it checks a package with nothing but
its contents (and the expected root, if given).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .cli import _read_file, _write_atomically, in_app
from .errors import BridgeError

__all__ = ["evidence", "verify_package"]


@click.group()
def evidence() -> None:
    """Evidence reports (出证报告) and evidence packages of contracts."""


@evidence.command("report")
@click.argument("contract_id")
@click.argument("output_pdf", metavar="OUT.pdf", type=click.Path(dir_okay=False))
@in_app
def evidence_report(contract_id: str, output_pdf: str) -> None:
    """Write the sealed evidence report of a contract."""
    from .services.evidence import operator_evidence, sealed_report

    _write_atomically(Path(output_pdf), sealed_report(operator_evidence(contract_id)))
    click.echo(output_pdf)


@evidence.command("package")
@click.argument("contract_id")
@click.argument("output_zip", metavar="OUT.zip", type=click.Path(dir_okay=False))
@in_app
def evidence_package(contract_id: str, output_zip: str) -> None:
    """Write the evidence package of a contract (check it with verify-package)."""
    from .services.evidence import operator_evidence
    from .services.evidence_package import build_package

    _write_atomically(Path(output_zip), build_package(operator_evidence(contract_id)))
    click.echo(output_zip)


@click.command("verify-package")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--root",
    type=click.Path(dir_okay=False),
    help="The deployment's root (PEM or DER) the package must be anchored in.",
)
@click.option("--json", "as_json", is_flag=True, help="The result as JSON.")
def verify_package(file: str, root: str | None, as_json: bool) -> None:
    """Check an evidence package offline; exit 0 only when everything holds."""
    from .services.package_check import check_package

    try:
        check = check_package(_read_file(file), _read_file(root) if root else None)
    except BridgeError as exc:
        click.echo(f"error: {exc.message} [{exc.code}]", err=True)
        sys.exit(2)
    if as_json:
        click.echo(json.dumps(check.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(f"contract {check.contract_id}")
        for fingerprint in check.root_fingerprints:
            click.echo(f"trust anchor SHA-256 {fingerprint}")
        for line in check.passed:
            click.echo(f"  ok    {line}")
        for line in check.problems:
            click.echo(f"  FAIL  {line}")
        if check.ok:
            click.echo("PASSED")
        else:
            click.echo(f"FAILED: {check.problems[0] if check.problems else 'empty'}")
    sys.exit(0 if check.ok else 1)
