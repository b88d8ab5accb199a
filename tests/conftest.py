"""Shared fixtures: an instance with its embedded PKI and demo seals, made once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from bridge import create_app
from bridge.cli import main
from bridge.services import pki
from bridge.services.seals import create_seal

SEALS = {
    "official": ("中国重型汽车集团有限公司", "official", None),
    "contract": ("重汽汽车金融有限公司", "contract", None),
    "finance": ("重汽汽车金融有限公司", "finance", None),
    "dealer": ("济南重汽商用车销售服务有限公司", "contract", None),
    "legal": ("重汽汽车金融有限公司", "legal_rep", "王建国"),
}


@pytest.fixture(scope="session")
def seeded_home(tmp_path_factory) -> Path:
    """An instance folder with the PKI and five seals (keys are slow to make)."""
    home = tmp_path_factory.mktemp("seeded")
    app = create_app({"HOME": str(home)})
    with app.app_context():
        pki.ensure_pki()
        for company, kind, holder in SEALS.values():
            create_seal(company=company, kind=kind, holder=holder)
    return home


@pytest.fixture
def home(seeded_home, tmp_path) -> Path:
    """A private copy of the seeded instance for one test."""
    copy = tmp_path / "instance"
    shutil.copytree(seeded_home, copy)
    return copy


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
    app = create_app({"HOME": str(seeded_home)})
    from bridge.services.seals import list_seals

    with app.app_context():
        by_company_kind = {(s.company, s.kind): s.name for s in list_seals()}
    return {
        key: by_company_kind[(company, kind)]
        for key, (company, kind, _) in SEALS.items()
    }


@pytest.fixture(scope="session")
def nss_db(seeded_home, tmp_path_factory):
    """An NSS database trusting the seeded instance's root, for pdfsig."""
    from tests.pdfs import trusting_nss_db

    app = create_app({"HOME": str(seeded_home)})
    with app.app_context():
        root = pki.root_certificate_pem()
    return trusting_nss_db(tmp_path_factory.mktemp("nss"), root)
