"""``sealbridge evidence``, ``verify-package`` and ``archive``: proof for operators.

``verify-package`` needs no instance: it checks a package with nothing but
its contents (and the expected root, if given).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import click

from .cli import _read_file, _write_atomically, in_app
from .errors import BridgeError

__all__ = ["archive", "evidence", "verify_package"]


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


@click.group()
def archive() -> None:
    """The archive of completed contracts."""


@archive.command("export")
@click.option(
    "--from", "first", required=True, type=click.DateTime(["%Y-%m-%d"]), help="Day."
)
@click.option(
    "--to", "last", required=True, type=click.DateTime(["%Y-%m-%d"]), help="Day."
)
@click.option(
    "--out",
    "folder",
    required=True,
    type=click.Path(file_okay=False),
    help="Folder for the packages (made if missing).",
)
@in_app
def archive_export(first, last, folder) -> None:
    """Write the evidence package of every contract completed FROM..TO (inclusive)."""
    from .services.archive import archived_between
    from .services.evidence import operator_evidence
    from .services.evidence_package import build_package

    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    contract_ids = archived_between(first.date(), last.date())
    with click.progressbar(
        contract_ids, label="Exporting evidence packages", show_pos=True
    ) as bar:
        for contract_id in bar:
            evidence = operator_evidence(contract_id)
            number = re.sub(r"[^\w.-]", "_", evidence.contract.biz_id)[:64]
            _write_atomically(
                out / f"{number}-{contract_id}.zip", build_package(evidence)
            )
    click.echo(f"exported {len(contract_ids)} evidence packages to {out}")
