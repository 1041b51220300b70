"""Fixtures shared by the ingestion and engine tests."""

from pathlib import Path

import pytest
from usage_builder import Landing


@pytest.fixture
def landing(tmp_path: Path) -> Landing:
    """An empty landing zone with one account and subscription per service."""
    return Landing(tmp_path / "landing")


@pytest.fixture
def wh(tmp_path: Path) -> Path:
    """Where the test's warehouse file goes."""
    return tmp_path / "warehouse.duckdb"
