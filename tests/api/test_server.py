"""The server itself: health without a key, keys per service, errors in Lago's shape."""

from pathlib import Path

import httpx
import pytest

from rating.api.keys import KeyStore
from tests.support.api_server import api_in_thread, api_process, settings_in

pytestmark = pytest.mark.engine


def test_health_answers_without_a_key(tmp_path: Path) -> None:
    with api_in_thread(settings_in(tmp_path)) as api, api.client() as client:
        answer = client.get("/health")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok"}


def test_a_call_without_a_valid_key_is_401_in_lagos_shape(tmp_path: Path) -> None:
    with api_in_thread(settings_in(tmp_path)) as api, api.client() as client:
        missing = client.get("/customers/nc-1")
        wrong = client.get("/customers/nc-1",
                           headers={"Authorization": f"Bearer {api.keys['nexacloud'][:-1]}x"})
    assert missing.status_code == wrong.status_code == 401
    assert missing.json() == {"status": 401, "error": "Unauthorized"}


def test_a_revoked_key_is_refused_at_once(tmp_path: Path) -> None:
    settings = settings_in(tmp_path)
    with api_in_thread(settings) as api, api.client("nexacloud") as client:
        assert client.get("/customers/none").status_code != 401
        prefix = api.keys["nexacloud"][:len("frk_nexacloud_") + 8]
        KeyStore(settings.state).revoke_key(prefix)
        assert client.get("/customers/none").status_code == 401


def test_the_key_is_stored_only_as_a_hash(tmp_path: Path) -> None:
    settings = settings_in(tmp_path)
    with api_in_thread(settings) as api:
        stored = (settings.state / "services.json").read_text()
    assert api.keys["nexacloud"] not in stored
    assert api.keys["nexacloud"][:len("frk_nexacloud_") + 8] in stored


def test_openapi_is_served_by_the_framework(tmp_path: Path) -> None:
    with api_in_thread(settings_in(tmp_path)) as api, api.client() as client:
        spec = client.get(f"{api.url}/openapi.json").json()
    assert "/api/billing/v1/health" in spec["paths"]




def test_serve_runs_as_a_process_of_its_own(tmp_path: Path) -> None:
    with api_process(settings_in(tmp_path)) as (api, process), api.client() as client:
        assert client.get("/health").status_code == 200
        assert process.poll() is None


def test_lagos_own_prefix_reaches_the_same_routes_for_lago_clients(tmp_path: Path) -> None:
    """Lago's clients append /api/v1 to their base URL: the same routes answer there, so that
    a Lago client needs only a new base URL and key."""
    with api_in_thread(settings_in(tmp_path)) as api:
        headers = {"Authorization": f"Bearer {api.keys['nexacloud']}"}
        ours = httpx.get(f"{api.url}/api/billing/v1/customers/none", headers=headers)
        lagos = httpx.get(f"{api.url}/api/v1/customers/none", headers=headers)
        unknown = httpx.get(f"{api.url}/api/v2/customers/none", headers=headers)
        spec = httpx.get(f"{api.url}/openapi.json").json()
    assert ours.status_code == lagos.status_code == 404
    assert lagos.json()["code"] == ours.json()["code"] == "customer_not_found"
    assert unknown.json()["code"] == "not_found"
    assert not [path for path in spec["paths"] if path.startswith("/api/v1/")]


def test_an_unexpected_error_answers_500_in_lagos_shape_without_its_cause(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from rating.api import customers

    def broken(request: object) -> None:
        raise RuntimeError("secret detail of a failure")

    monkeypatch.setattr(customers, "store", broken)
    with api_in_thread(settings_in(tmp_path)) as api, api.client("nexacloud") as client:
        answer = client.get("/customers/nc-1")
    assert answer.status_code == 500
    assert answer.json() == {"status": 500, "error": "Internal Server Error"}
    assert "secret" not in answer.text
