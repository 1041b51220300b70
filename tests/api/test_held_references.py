"""Keys the rating holds because the rows tied as their latest version disagree
(ambiguous_account, duplicate_subscription: two hand-landed files, say) are never answered or
built on by a guess over real HTTP: reads answer 409, writes that would repeat one of the files
are refused (422) and land nothing; an upsert that says the customer key decides it."""

from pathlib import Path

import pytest

from tests.support.api_server import api_in_thread, settings_in
from tests.support.usage_builder import Landing, table, usage_row

pytestmark = pytest.mark.engine


def landed(root: Path, kind: str) -> list[Path]:
    return sorted((root / kind / "api").rglob("*.parquet"))


def test_an_ambiguous_account_is_409_and_only_an_upsert_naming_its_customer_resolves_it(
        tmp_path: Path) -> None:
    landing = Landing(tmp_path / "landing")
    landing.accounts([("nexacloud", "nc-1", "C9")], name="accounts2.csv")  # C1 in the default
    landing.usage("a.parquet", [usage_row(value=5)])
    wh = tmp_path / "warehouse.duckdb"
    settings = settings_in(tmp_path, landing=landing.root)
    with api_in_thread(settings) as api, api.client("nexacloud") as client:
        read = client.get("/customers/nc-1")
        refused = client.post("/customers", json={"customer": {
            "external_id": "nc-1", "email": "billing@example.ca"}})
        nothing_landed = landed(landing.root, "accounts")
        decided = client.post("/customers", json={"customer": {
            "external_id": "nc-1", "email": "billing@example.ca", "customer_key": "C9"}})
        after = client.get("/customers/nc-1")
    assert (read.status_code, read.json()["code"]) == (409, "ambiguous_account")
    assert refused.status_code == 422
    assert refused.json()["error_details"] == {"customer_key": ["ambiguous_account"]}
    assert nothing_landed == []
    assert decided.status_code == 200 and decided.json()["customer"]["customer_key"] == "C9"
    assert after.json()["customer"]["customer_key"] == "C9"
    landing.rate(wh)
    assert table(wh, "rated_charges", "DISTINCT customer_key", "account_id = 'nc-1'") == [
        ("C9",)]


def test_a_duplicate_subscription_is_409_and_neither_updated_nor_recreated(
        tmp_path: Path) -> None:
    landing = Landing(tmp_path / "landing")
    landing.subscriptions([("SUB-NC-1", "nexacloud", "nc-1", "cloud-standard", "2026-10-03", "")],
                          name="subscriptions2.csv")
    settings = settings_in(tmp_path, landing=landing.root)
    with api_in_thread(settings) as api, api.client("nexacloud") as client:
        read = client.get("/subscriptions/SUB-NC-1")
        put = client.put("/subscriptions/SUB-NC-1",
                         json={"subscription": {"ending_at": "2026-10-20"}})
        delete = client.delete("/subscriptions/SUB-NC-1")
        post = client.post("/subscriptions", json={"subscription": {
            "external_customer_id": "nc-1", "plan_code": "cloud-standard",
            "external_id": "SUB-NC-1"}})
    assert (read.status_code, read.json()["code"]) == (409, "duplicate_subscription")
    for refused in (put, delete, post):
        assert refused.status_code == 422, refused.json()
        assert refused.json()["error_details"] == {"external_id": ["duplicate_subscription"]}
    assert landed(landing.root, "subscriptions") == []
