"""The OpenAPI the server serves (/openapi.json) and docs/api.md name the same endpoints: the
doc's endpoint headings (### `METHOD /path`) against the served paths."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rating.api.app import PREFIX
from tests.support.api_server import api_in_thread, settings_in

pytestmark = pytest.mark.engine
DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"
HEADING = re.compile(r"^### `(GET|POST|PUT|DELETE|PATCH) (/\S*)`$")


def documented() -> set[tuple[str, str]]:
    """(method, path under the prefix) of each endpoint heading of docs/api.md."""
    found = set()
    for line in DOC.read_text(encoding="utf-8").splitlines():
        match = HEADING.match(line)
        if match:
            found.add((match[1], match[2]))
    return found


def served(tmp_path: Path) -> set[tuple[str, str]]:
    """(method, path under the prefix) of each operation in the served /openapi.json."""
    with api_in_thread(settings_in(tmp_path)) as api, api.client() as client:
        spec = client.get(f"{api.url}/openapi.json").json()
    return {(method.upper(), path.removeprefix(PREFIX))
            for path, operations in spec["paths"].items() for method in operations}


def test_docs_api_names_the_endpoints_the_issue_asks_for() -> None:
    paths = {path for _, path in documented()}
    assert {"/health", "/usage", "/events", "/events/batch", "/customers",
            "/customers/{external_id}", "/subscriptions", "/subscriptions/{external_id}",
            "/customers/{external_id}/current_usage",
            "/customers/{external_id}/invoices"} <= paths


def test_every_documented_endpoint_is_served(tmp_path: Path) -> None:
    assert sorted(documented() - served(tmp_path)) == []


def test_every_served_endpoint_is_documented(tmp_path: Path) -> None:
    assert sorted(served(tmp_path) - documented()) == []
