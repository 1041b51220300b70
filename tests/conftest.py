"""Fixtures shared by the tests."""

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.odoo_server import OdooTestServer
from tests.support.posting import rated_period
from tests.support.usage_builder import Landing

TIERS = ("fast", "engine", "slow")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test is in exactly one tier (pyproject's markers), so `-m fast` means seconds."""
    wrong = [f"{item.nodeid}: {tiers or 'none'}" for item in items
             if len(tiers := sorted({m.name for m in item.iter_markers() if m.name in TIERS}))
             != 1]
    if wrong:
        raise pytest.UsageError("each test needs exactly one of the markers "
                                f"{', '.join(TIERS)}:\n" + "\n".join(wrong))


@pytest.fixture
def landing(tmp_path: Path) -> Landing:
    """An empty landing zone with one account and subscription per service."""
    return Landing(tmp_path / "landing")


@pytest.fixture
def wh(tmp_path: Path) -> Path:
    """Where the test's warehouse file goes."""
    return tmp_path / "warehouse.duckdb"


@pytest.fixture
def odoo_server() -> Iterator[OdooTestServer]:
    """An Odoo 19 look-alike (tests/support/odoo_server.py) with its defaults, then stopped."""
    server = OdooTestServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def closed_period_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Four customers, eight invoices, 2026-10 rated and closed: copy it, never change it."""
    return rated_period(tmp_path_factory.mktemp("closed-period"))


@pytest.fixture
def posting_wh(closed_period_warehouse: Path, tmp_path: Path) -> Path:
    """A copy of the closed period's warehouse, to post from."""
    copy = tmp_path / "warehouse.duckdb"
    shutil.copyfile(closed_period_warehouse, copy)
    return copy
