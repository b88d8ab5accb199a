"""The ``sealbridge`` command: serve the bridge and operate seals from a shell.

Every command works on the instance folder named by ``--home`` or
``SEALBRIDGE_HOME``. A user error prints one line and exits with status 2.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import signal
import sys
import tempfile
import threading
from datetime import date
from pathlib import Path

import click

from .errors import BridgeError, InvalidInputError

__all__ = ["main"]


def _app(ctx: click.Context):
    from . import create_app

    return create_app({"HOME": ctx.obj["home"]} if ctx.obj["home"] else None)


def in_app(command):
    """Run ``command`` inside an app context; report bridge errors in one line."""

    @functools.wraps(command)
    @click.pass_context
    def wrapper(ctx: click.Context, *args, **kwargs):
        try:
            with _app(ctx).app_context():
                return command(*args, **kwargs)
        except BridgeError as exc:
            if exc.details:  # one line per field, e.g. missing metadata
                for field, problem in exc.details.items():
                    click.echo(f"error: {field}: {problem} [{exc.code}]", err=True)
            else:
                click.echo(f"error: {exc.message} [{exc.code}]", err=True)
            ctx.exit(2)
        except Exception as exc:
            if os.environ.get("SEALBRIDGE_DEBUG"):
                raise
            logging.getLogger(__name__).debug("unexpected failure", exc_info=True)
            click.echo(
                f"error: unexpected failure ({type(exc).__name__}); "
                "set SEALBRIDGE_DEBUG=1 for details [internal_error]",
                err=True,
            )
            ctx.exit(1)

    return wrapper


def _write_atomically(path: Path, data: bytes) -> None:
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".sealbridge-")
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
    os.replace(temporary, path)


def _read_file(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise InvalidInputError(
            f"Cannot read {path}: {exc.strerror}.", code="file_unreadable"
        ) from exc


@click.group()
@click.option(
    "--home",
    envvar="SEALBRIDGE_HOME",
    type=click.Path(file_okay=False),
    help="Instance folder (database, keys, documents). Default ./instance.",
)
@click.pass_context
def main(ctx: click.Context, home: str | None) -> None:
    """Sealbridge: e-signatures and company seals."""
    ctx.obj = {"home": home}


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, threads: int) -> None:
    """Run the bridge (creates the embedded PKI on first start)."""
    import waitress

    from .scheduler import start_scheduler
    from .services import pki

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("alembic").setLevel(logging.WARNING)
    app = _app(ctx)
    with app.app_context():
        pki.ensure_pki()
    # LibreOffice takes seconds to start: warm the pool while the server comes up.
    threading.Thread(target=_warm_converter, args=(app,), daemon=True).start()
    click.echo(f"Sealbridge listening on http://{host}:{port}")
    # SIGTERM (systemd, docker, timeout) must not orphan the LibreOffice workers.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    scheduler = start_scheduler(app)  # the outbox: webhooks to the finance system
    try:
        # poll(), not select(): no FD_SETSIZE ceiling on open dashboard streams.
        waitress.serve(
            app,
            host=host,
            port=port,
            threads=threads,
            ident="sealbridge",
            asyncore_use_poll=True,
        )
    finally:
        scheduler.shutdown(wait=False)
        app.extensions["sealbridge"].close()


@main.command("conversion-worker")
@click.option(
    "--interface",
    default="127.0.0.1",
    show_default=True,
    help="Address the bridges connect to. XML-RPC without authentication: "
    "listen on a private network only.",
)
@click.option("--port", default=2003, show_default=True, type=int)
@click.option(
    "--uno-port",
    default=2002,
    show_default=True,
    type=int,
    help="LibreOffice's own port (always on 127.0.0.1).",
)
@click.pass_context
def conversion_worker(ctx: click.Context, interface: str, port: int, uno_port: int):
    """Convert for bridges elsewhere (their CONVERSION_WORKERS) until stopped."""
    from .config import instance_home, load_config
    from .documents.conversion_worker import run_worker

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    home = instance_home(ctx.obj["home"])
    config = load_config(home)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # LibreOffice goes too
    try:
        run_worker(
            home / "run" / f"conversion-worker-{port}",
            interface=interface,
            port=port,
            uno_port=uno_port,
            timeout=float(config["CONVERSION_TIMEOUT_SECONDS"]),
            restart_after=int(config["CONVERSION_RESTART_AFTER"]),
        )
    except BridgeError as exc:
        click.echo(f"error: {exc.message} [{exc.code}]", err=True)
        ctx.exit(2)
    except KeyboardInterrupt:
        pass


def _warm_converter(app) -> None:
    from .services.conversion import converter

    with app.app_context():
        start = getattr(converter(), "start", None)
        try:
            if start is not None:
                start()
        except BridgeError as exc:
            logging.getLogger(__name__).warning("no converter pool: %s", exc.message)


@main.group()
def pki() -> None:
    """The embedded PKI."""


@pki.command("root")
@in_app
def pki_root() -> None:
    """Print the root CA certificate as PEM."""
    from .services import pki as pki_service

    click.echo(pki_service.root_certificate_pem(), nl=False)


@main.group()
def seals() -> None:
    """Create, import and list seals."""


def _print_seal(summary) -> None:
    click.echo(json.dumps(summary.to_dict(), ensure_ascii=False))


@seals.command("create")
@click.option("--company", required=True, help="Company name on the seal.")
@click.option(
    "--kind",
    default="official",
    show_default=True,
    help="official, contract, finance, legal_rep or personal.",
)
@click.option("--name", help="Seal name (default: company + kind).")
@click.option("--holder", help="Person on a legal_rep or personal seal.")
@click.option("--credit-code", help="Unified social credit code for the certificate.")
@in_app
def seals_create(company, kind, name, holder, credit_code) -> None:
    """Draw a seal and issue its certificate from the embedded CA."""
    from .services.seals import create_seal

    _print_seal(
        create_seal(
            company=company,
            kind=kind,
            name=name,
            holder=holder,
            credit_code=credit_code,
        )
    )


@seals.command("import-p12")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--name", required=True)
@click.option("--kind", default="official", show_default=True)
@click.option("--company", help="Company name (default: the certificate's O).")
@click.option("--holder", help="Person on a legal_rep or personal seal.")
@click.option(
    "--password", envvar="SEALBRIDGE_P12_PASSWORD", help="Or SEALBRIDGE_P12_PASSWORD."
)
@in_app
def seals_import_p12(file, name, kind, company, holder, password) -> None:
    """Make a seal of a CA-issued certificate and key (PKCS#12)."""
    from .services.seals import import_p12

    _print_seal(
        import_p12(
            _read_file(file),
            password=password,
            name=name,
            kind=kind,
            company=company,
            holder=holder,
        )
    )


@seals.command("set-image")
@click.argument("seal")
@click.argument("image", type=click.Path(dir_okay=False))
@in_app
def seals_set_image(seal, image) -> None:
    """Replace a seal's image with a scan (PNG/JPEG; white becomes transparent)."""
    from .services.seals import replace_image

    _print_seal(replace_image(seal, _read_file(image)))


@seals.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per seal.")
@in_app
def seals_list(as_json: bool) -> None:
    """Seals with their certificate fingerprint and validity."""
    from .services.seals import list_seals

    for summary in list_seals():
        if as_json:
            _print_seal(summary)
            continue
        state = "REVOKED" if summary.revoked else "valid"
        click.echo(
            f"{summary.name}\t{summary.kind}\t{summary.id}\tSHA256:{summary.fingerprint_sha256}"
            f"\t{summary.not_before:%Y-%m-%d}..{summary.not_after:%Y-%m-%d}\t{state}"
        )


@seals.command("authorize")
@click.argument("seal")
@click.option("--operator", "mobile", required=True, help="The operator's mobile.")
@click.option("--by", "granted_by", default="head-office", show_default=True)
@in_app
def seals_authorize(seal, mobile, granted_by) -> None:
    """Let a dealer operator use one of their company's seals (head office)."""
    from .services.operators import authorize_seal

    grant = authorize_seal(seal, mobile, granted_by)
    click.echo(f"{grant.operator.mobile}\t{grant.seal.name}\tauthorised")


@main.group()
def operators() -> None:
    """Dealer-store operators who seal for their company on /op."""


@operators.command("add")
@click.option("--mobile", required=True)
@click.option("--name", required=True)
@click.option("--company", required=True, help="The company's name.")
@click.option(
    "--credit-code",
    help="The company's unified social credit code: contracts are matched by it "
    "(else by the name, as the contracts write it).",
)
@in_app
def operators_add(mobile, name, company, credit_code) -> None:
    from .services.operators import add_operator

    operator = add_operator(mobile, name, company, credit_code)
    click.echo(
        f"{operator.mobile}\t{operator.name}\t{operator.company}"
        f"\t{operator.credit_code or '-'}"
    )


def _offset(value: str) -> tuple[float, float]:
    try:
        dx, dy = (float(part) for part in value.split(","))
    except ValueError:
        raise InvalidInputError("--offset takes DX,DY in points, e.g. 0,-20.") from None
    return dx, dy


def _placement(page, x, y, keyword, index, offset, riding):
    from .signing.placement import KeywordPlacement, PagePlacement, RidingPlacement

    if keyword and riding:
        raise InvalidInputError("Choose one placement: --keyword or --riding.")
    if keyword:
        return KeywordPlacement(keyword, index, _offset(offset))
    if riding:
        return RidingPlacement(y)
    if x is None or y is None:
        raise InvalidInputError(
            "Place the seal with --page/--x/--y, --keyword TEXT or --riding.",
            code="placement_missing",
        )
    return PagePlacement(page, x, y)


@main.command()
@click.argument("input_pdf", metavar="IN.pdf", type=click.Path(dir_okay=False))
@click.argument("output_pdf", metavar="OUT.pdf", type=click.Path(dir_okay=False))
@click.option("--seal", "seal_ref", required=True, help="Seal name or id.")
@click.option(
    "--page", default=-1, show_default=True, type=int, help="1-based; -1 = last page."
)
@click.option("--x", type=float, help="Seal centre, points from the left.")
@click.option("--y", type=float, help="Seal centre, points from the bottom.")
@click.option(
    "--size", "size_mm", type=float, help="Printed width in mm (default: real size)."
)
@click.option("--keyword", help="Centre the seal on this text.")
@click.option(
    "--index",
    type=click.Choice(["first", "last", "all"]),
    default="first",
    show_default=True,
)
@click.option(
    "--offset", default="0,0", show_default=True, help="DX,DY points from the keyword."
)
@click.option(
    "--riding", is_flag=True, help="骑缝章: a slice on the right edge of every page."
)
@click.option(
    "--date", "with_date", is_flag=True, help="Add a date stamp below the seal."
)
@click.option(
    "--date-on",
    type=click.DateTime(["%Y-%m-%d"]),
    help="Date of the stamp (default today).",
)
@click.option(
    "--level",
    type=click.Choice(["B-B", "B-T", "B-LT", "B-LTA"]),
    default="B-T",
    show_default=True,
)
@click.option("--field-name", help="Signature field name (default Seal<n>).")
@click.option("--reason", help="Reason recorded in the signature.")
@in_app
def seal(
    input_pdf,
    output_pdf,
    seal_ref,
    page,
    x,
    y,
    size_mm,
    keyword,
    index,
    offset,
    riding,
    with_date,
    date_on,
    level,
    field_name,
    reason,
) -> None:
    """Seal IN.pdf with a visible PAdES signature and write OUT.pdf."""
    from .services.sealing import seal_pdf
    from .signing.sealer import SealOptions, SignatureLevel

    source, target = Path(input_pdf), Path(output_pdf)
    if target.exists() and target.resolve() == source.resolve():
        raise InvalidInputError(
            "OUT.pdf must differ from IN.pdf; the input is never modified."
        )
    stamp_date = date_on.date() if date_on else (date.today() if with_date else None)
    options = SealOptions(
        placement=_placement(page, x, y, keyword, index, offset, riding),
        level=SignatureLevel(level),
        date=stamp_date,
        field_name=field_name,
        size_mm=size_mm,
        reason=reason,
    )
    result = seal_pdf(_read_file(input_pdf), seal_ref, options)
    _write_atomically(target, result.pdf)
    pages = sorted({widget.page_index + 1 for widget in result.widgets})
    click.echo(f"sealed {target} field={result.field_name} level={level} pages={pages}")


@main.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="The full report as JSON.")
@in_app
def verify(file: str, as_json: bool) -> None:
    """Check every signature; exit 0 only when the indication is PASSED."""
    from .services.verification import verify as verify_document

    report = verify_document(_read_file(file))
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(
            f"{report.indication}"
            + (f" ({report.sub_indication})" if report.sub_indication else "")
        )
        for signature in report.signatures:
            click.echo(
                f"  {signature.field_name}: {signature.indication} "
                f"{signature.level or ''} {signature.signer} "
                f"signed {signature.signing_time} "
                f"timestamp {signature.timestamp_time or '-'}; "
                f"{signature.modifications_text}"
            )
    sys.exit(0 if report.indication == "PASSED" else 1)


@main.group()
def demo() -> None:
    """Demo data for the embedded default."""


@demo.command("seed")
@in_app
def demo_seed() -> None:
    """Create the demo seals and apps that do not exist yet (idempotent)."""
    from .services.demo import seed_demo

    for line in seed_demo():
        click.echo(line)


@main.command()
@click.argument("input_docx", metavar="IN.docx", type=click.Path(dir_okay=False))
@click.argument("output_pdf", metavar="OUT.pdf", type=click.Path(dir_okay=False))
@click.option(
    "--backend",
    type=click.Choice(["unoserver", "soffice", "docx2pdf"]),
    help="Converter for this file (default: the configured CONVERTER). "
    "soffice starts fastest for a single file.",
)
@in_app
def convert(input_docx, output_pdf, backend) -> None:
    """Convert IN.docx to OUT.pdf (fonts checked: all embedded, no missing glyph)."""
    from .services.conversion import convert_docx

    source, target = Path(input_docx), Path(output_pdf)
    if target.exists() and target.resolve() == source.resolve():
        raise InvalidInputError("OUT.pdf must differ from IN.docx.")
    pdf = convert_docx(_read_file(input_docx), backend=backend)
    _write_atomically(target, pdf)
    click.echo(f"converted {target} ({len(pdf)} bytes)")


@main.group("red-header")
def red_header_group() -> None:
    """Red-header official documents (GB/T 9704-2012)."""


@red_header_group.command("templates")
@in_app
def red_header_templates() -> None:
    """List the red-header templates (``templates/red_header/*.docx``)."""
    from red_header import find_template

    from .services.official_documents import templates

    for name in templates():
        options = find_template(name)[1]
        sealed = "sealed" if options.sealed else "no seal"
        click.echo(f"{name}\t{options.kind}\t{sealed}")


def _metadata(path: str):
    try:
        return json.loads(_read_file(path))
    except json.JSONDecodeError as exc:
        raise InvalidInputError(
            f"{path} is not valid JSON: {exc.msg} (line {exc.lineno}).",
            code="invalid_json",
        ) from None


@red_header_group.command("compose")
@click.option("--template", "template_name", required=True, help="Template name.")
@click.option(
    "--data",
    "data_path",
    required=True,
    type=click.Path(dir_okay=False),
    help="The document's metadata as JSON.",
)
@click.option(
    "--body",
    "body_path",
    type=click.Path(dir_okay=False),
    help="The drafter's body .docx (replaces the JSON's body).",
)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False),
    help="out.docx or out.pdf",
)
@click.option(
    "--seal",
    "seals",
    multiple=True,
    help="Seal per issuer, in order (PDF output only).",
)
@click.option(
    "--backend",
    type=click.Choice(["unoserver", "soffice", "docx2pdf"]),
    help="Converter for this document (default: the configured CONVERTER).",
)
@in_app
def red_header_compose(
    template_name, data_path, body_path, output, seals, backend
) -> None:
    """Compose an official document; a null doc_number takes the next number."""
    from .services.official_documents import issue_official_document

    target = Path(output)
    if target.suffix.lower() not in (".docx", ".pdf"):
        raise InvalidInputError(
            "The output must end in .docx or .pdf.", code="invalid_output"
        )
    issued = issue_official_document(
        template_name,
        _metadata(data_path),
        body_docx=_read_file(body_path) if body_path else None,
        to_pdf=target.suffix.lower() == ".pdf",
        seals=seals,
        backend=backend,
    )
    _write_atomically(target, issued.pdf if issued.pdf is not None else issued.docx)
    click.echo(f"issued {issued.number} -> {target}")


@red_header_group.command("check")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="The report as JSON.")
@in_app
def red_header_check(file: str, as_json: bool) -> None:
    """Measure FILE.pdf against GB/T 9704-2012; exit 0 only when every rule passes."""
    from .services.official_documents import layout_check

    report = layout_check(_read_file(file))
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        for rule in report.rules:
            verdict = {True: "PASS", False: "FAIL", None: "N/A "}[rule.passed]
            click.echo(
                f"{verdict} {rule.rule}: {rule.measured} (expected {rule.expected})"
            )
    sys.exit(0 if report.passed else 1)


@main.group()
def apps() -> None:
    """Apps of the finance system (one per dealer store, one for head office)."""


@apps.command("create")
@click.option("--name", required=True, help="e.g. the dealer store's name.")
@click.option("--tenant", required=True, help="The store's code; '*' for head office.")
@click.option("--callback-url", help="Where webhooks are POSTed.")
@click.option(
    "--head-office", is_flag=True, help="Sees every tenant; may operate the outbox."
)
@in_app
def apps_create(name, tenant, callback_url, head_office) -> None:
    """Create an app; prints its key and secrets once, as one line of JSON."""
    from .services.apps import create_api_app, webhook_secrets

    app, secret = create_api_app(name, tenant, callback_url, head_office)
    click.echo(
        json.dumps(
            {
                "app_key": app.app_key,
                "app_secret": secret,
                "webhook_secret": webhook_secrets(app)[0],
            }
        )
    )


@apps.command("list")
@in_app
def apps_list() -> None:
    """One JSON object per app (no secrets)."""
    from .services.apps import list_api_apps

    for summary in list_api_apps():
        click.echo(json.dumps(summary.to_dict(), ensure_ascii=False))


@apps.command("rotate-webhook-secret")
@click.argument("app_key")
@in_app
def apps_rotate_webhook_secret(app_key) -> None:
    """Add a webhook secret; webhooks are signed with it and the older ones."""
    from .services.apps import rotate_webhook_secret

    click.echo(json.dumps({"webhook_secret": rotate_webhook_secret(app_key)}))


@apps.command("retire-webhook-secrets")
@click.argument("app_key")
@click.option("--keep", default=1, show_default=True, help="Newest secrets kept.")
@in_app
def apps_retire_webhook_secrets(app_key, keep) -> None:
    """Stop signing with all but the newest webhook secrets."""
    from .services.apps import retire_webhook_secret

    click.echo(f"retired {retire_webhook_secret(app_key, keep_latest=keep)}")


@apps.command("disable")
@click.argument("app_key")
@in_app
def apps_disable(app_key) -> None:
    """Refuse the app's requests from now on."""
    from .services.apps import disable_api_app

    disable_api_app(app_key)
    click.echo(f"disabled {app_key}")


@main.group()
def outbox() -> None:
    """Webhooks waiting, delivered or dead."""


@outbox.command("list")
@click.option("--status", type=click.Choice(["pending", "delivered", "dead"]))
@click.option("--limit", default=100, show_default=True, help="Newest first.")
@in_app
def outbox_list(status, limit) -> None:
    """One JSON object per message, newest first."""
    from .outbox.listing import list_messages

    for item in list_messages(status, per_page=limit).items:
        click.echo(json.dumps(item, ensure_ascii=False))


@outbox.command("retry")
@click.argument("message_id", type=int, required=False)
@click.option("--all-dead", is_flag=True, help="Every dead message.")
@in_app
def outbox_retry(message_id, all_dead) -> None:
    """Give a dead message (or all of them) a fresh round of attempts."""
    from .outbox.dispatch import retry_dead

    if (message_id is None) == (not all_dead):
        raise InvalidInputError("Give a message ID or --all-dead, not both.")
    click.echo(f"reset {retry_dead(message_id)} to pending")


@outbox.command("dispatch")
@click.option("--limit", default=100, show_default=True)
@in_app
def outbox_dispatch(limit) -> None:
    """Deliver the due messages once (for cron, or when the server is not running)."""
    from .outbox.dispatch import dispatch_due

    result = dispatch_due(limit=limit)
    click.echo(
        f"delivered={result.delivered} failed={result.failed} dead={result.dead}"
    )


@main.command("oa-sandbox")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8088, show_default=True, type=int)
@click.option("--folder", help="Its database (default: <home>/ecology-sandbox).")
@click.option("--bridge-url", help="Where node actions call (default: PUBLIC_URL).")
@click.pass_context
def oa_sandbox(ctx: click.Context, host, port, folder, bridge_url) -> None:
    """Run the e-cology sandbox, wired to this bridge's OA settings."""
    import waitress

    from .services.oa_settings import sandbox_config

    app = _app(ctx)
    with app.app_context():
        config = sandbox_config(folder, bridge_url)
    from oa_plugin.sandbox.app import create_sandbox

    click.echo(f"e-cology sandbox on http://{host}:{port}/services/")
    waitress.serve(create_sandbox(config), host=host, port=port, ident="ecology")


@main.group()
def jobs() -> None:
    """Scheduled jobs: expiry, reminders, archive timestamps, clean-up."""


@jobs.command("list")
@in_app
def jobs_list() -> None:
    """One JSON object per job: when it runs next, how its last run went."""
    from .scheduler import JOBS
    from .services.jobs import job_states

    for state in job_states(JOBS):
        click.echo(json.dumps(state, ensure_ascii=False))


@jobs.command("run")
@click.argument("name")
@in_app
def jobs_run(name: str) -> None:
    """Run a job now, due or not (for cron, or when the server is not running)."""
    from flask import current_app

    from .scheduler import JOBS
    from .services.jobs import find_job, run_job

    run = run_job(find_job(JOBS, name), current_app.config, force=True)
    click.echo(f"{name}: {'ok' if run.ok else 'failed'}: {run.detail}")
    if not run.ok:
        sys.exit(1)


# Registered last: these commands use in_app and the helpers above.
from .cli_dashboard import dashboard_users  # noqa: E402
from .cli_evidence import archive, evidence, verify_package  # noqa: E402

main.add_command(archive)
main.add_command(evidence)
main.add_command(verify_package)
main.add_command(dashboard_users)
