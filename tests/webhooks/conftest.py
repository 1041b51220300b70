"""A warehouse, its API state folder and a signing secret for each delivery test."""

from dataclasses import dataclass
from pathlib import Path

import pytest

from rating.webhooks.endpoints import new_secret


@dataclass(frozen=True)
class Place:
    database: Path
    state: Path
    secret: str

    def environ(self, **more: str) -> dict[str, str]:
        return {"HOOK_SECRET": self.secret, **more}


@pytest.fixture
def place(tmp_path: Path) -> Place:
    return Place(tmp_path / "warehouse.duckdb", tmp_path / "warehouse.api", new_secret())
