"""Shared fixtures: an instance with its embedded PKI and demo seals, made once.

``SEALBRIDGE_TEST_DATABASE=postgresql`` puts every instance made here in its
own database of a private PostgreSQL server instead of its SQLite file;
``bin/dev test`` runs the tests marked ``database`` that way too.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from bridge import create_app
from bridge.cli import main
from bridge.services import pki
from bridge.services.seals import create_seal
from tests.instances import Instances, app_context_of
from tests.postgres import PostgresServer, postgres_binaries

ON_POSTGRES = os.environ.get("SEALBRIDGE_TEST_DATABASE", "sqlite") == "postgresql"

SEALS = {
    "official": ("中国重型汽车集团有限公司", "official", None),
    "contract": ("重汽汽车金融有限公司", "contract", None),
    "finance": ("重汽汽车金融有限公司", "finance", None),
    "dealer": ("济南重汽商用车销售服务有限公司", "contract", None),
    "legal": ("重汽汽车金融有限公司", "legal_rep", "王建国"),
}


@pytest.fixture(scope="session")
def postgres():
    """The session's private PostgreSQL server; skipped where none is installed."""
    binaries = postgres_binaries()
    if binaries is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not installed (bin/dev installs it).")
        pytest.skip("PostgreSQL is not installed")
    server = PostgresServer(binaries)
    server.start()
    yield server
    server.destroy()


@pytest.fixture(scope="session")
def instances(request) -> Instances:
    server = request.getfixturevalue("postgres") if ON_POSTGRES else None
    return Instances(server)


@pytest.fixture(scope="session")
def seeded_home(tmp_path_factory, instances) -> Path:
    """An instance folder with the PKI and five seals (keys are slow to make)."""
    home = instances.new(tmp_path_factory.mktemp("seeded") / "instance")
    with app_context_of(home):
        pki.ensure_pki()
        for company, kind, holder in SEALS.values():
            create_seal(company=company, kind=kind, holder=holder)
    return home


@pytest.fixture
def home(seeded_home, tmp_path, instances) -> Path:
    """A private copy of the seeded instance for one test."""
    return instances.new(tmp_path / "instance", copy_of=seeded_home)


@pytest.fixture
def app(home):
    return create_app({"HOME": str(home)})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def cli(home):
    """Run ``sealbridge`` in-process against the test instance."""
    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(main, ["--home", str(home), *args], catch_exceptions=False)

    return run


@pytest.fixture
def seal_file(cli):
    """Run ``sealbridge seal``; checks success unless ``check=False``."""

    def run(source, target, seal: str, *options: str, check: bool = True):
        result = cli("seal", str(source), str(target), "--seal", seal, *options)
        if check:
            assert result.exit_code == 0, result.output
        return result

    return run


@pytest.fixture(scope="session")
def seal_names(seeded_home) -> dict[str, str]:
    from bridge.services.seals import list_seals

    with app_context_of(seeded_home):
        by_company_kind = {(s.company, s.kind): s.name for s in list_seals()}
    return {
        key: by_company_kind[(company, kind)]
        for key, (company, kind, _) in SEALS.items()
    }


@pytest.fixture(scope="session")
def nss_db(seeded_home, tmp_path_factory):
    """An NSS database trusting the seeded instance's root, for pdfsig."""
    from tests.pdfs import trusting_nss_db

    with app_context_of(seeded_home):
        root = pki.root_certificate_pem()
    return trusting_nss_db(tmp_path_factory.mktemp("nss"), root)
