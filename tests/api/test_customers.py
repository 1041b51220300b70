"""POST /customers and GET /customers/{external_id} over real HTTP: each write lands a new
version of the account link, the latest one is what the API answers and what the rating uses."""

import datetime as dt
import os
import signal
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from rating.api.landed_references import write_version
from tests.support.api_server import api_in_thread, api_process, settings_in
from tests.support.usage_builder import Landing, table, usage_row

pytestmark = pytest.mark.engine

ANNE = {"external_id": "nc-9", "name": "Anne Tremblay", "email": "anne@example.ca",
        "address_line1": "12 rue Principale", "address_line2": "bureau 4", "city": "Montréal",
        "zipcode": "H2X 1Y4", "state": "QC", "country": "ca", "legal_name": "Tremblay inc.",
        "billing_configuration": {"document_locale": "fr"}, "currency": "CAD"}


def landed(root: Path, kind: str = "accounts") -> list[Path]:
    return sorted((root / kind / "api").rglob("*"))


def test_a_customer_is_created_read_back_and_landed_as_one_parquet_file(tmp_path: Path) -> None:
    settings = settings_in(tmp_path)
    with api_in_thread(settings) as api, api.client("nexacloud") as client:
        created = client.post("/customers", json={"customer": ANNE})
        read = client.get("/customers/nc-9")
    assert created.status_code == read.status_code == 200
    customer = read.json()["customer"]
    assert created.json()["customer"] == customer
    assert {k: customer[k] for k in ("external_id", "name", "email", "address_line1",
                                     "address_line2", "city", "zipcode", "state", "country",
                                     "legal_name", "currency", "customer_key", "language")} == {
        "external_id": "nc-9", "name": "Anne Tremblay", "email": "anne@example.ca",
        "address_line1": "12 rue Principale", "address_line2": "bureau 4", "city": "Montréal",
        "zipcode": "H2X 1Y4", "state": "QC", "country": "CA", "legal_name": "Tremblay inc.",
        "currency": "CAD", "customer_key": "nexacloud:nc-9", "language": "fr_CA"}
    assert customer["billing_configuration"] == {"document_locale": "fr"}
    files = [p for p in landed(settings.landing) if p.is_file()]
    assert [p.suffix for p in files] == [".parquet"]  # no temporary name left behind
    row = pq.read_table(files[0]).to_pylist()[0]
    assert (row["service"], row["account_id"], row["customer_key"], row["province"],
            row["postal_code"], row["street"]) == (
        "nexacloud", "nc-9", "nexacloud:nc-9", "QC", "H2X 1Y4", "12 rue Principale, bureau 4")


def test_an_update_is_a_new_version_that_keeps_what_it_leaves_out(tmp_path: Path) -> None:
    settings = settings_in(tmp_path)
    with api_in_thread(settings) as api, api.client("nexacloud") as client:
        first = client.post("/customers", json={"customer": {**ANNE, "customer_key": "C9"}})
        client.post("/customers", json={"customer": {"external_id": "nc-9",
                                                     "email": "compta@example.ca"}})
        read = client.get("/customers/nc-9").json()["customer"]
    assert len([p for p in landed(settings.landing) if p.is_file()]) == 2
    assert (read["email"], read["name"], read["customer_key"], read["city"]) == (
        "compta@example.ca", "Anne Tremblay", "C9", "Montréal")
    assert read["created_at"] == first.json()["customer"]["created_at"]
    assert read["updated_at"] > read["created_at"]


def test_another_services_key_does_not_find_the_customer(tmp_path: Path) -> None:
    with api_in_thread(settings_in(tmp_path)) as api:
        with api.client("nexacloud") as cloud:
            assert cloud.post("/customers", json={"customer": ANNE}).status_code == 200
        with api.client("nexadesk") as desk:
            missing = desk.get("/customers/nc-9")
            own = desk.post("/customers", json={"customer": {"external_id": "nc-9",
                                                             "name": "Someone else"}})
        with api.client("nexacloud") as cloud:
            still = cloud.get("/customers/nc-9").json()["customer"]
    assert missing.status_code == 404
    assert missing.json() == {"status": 404, "error": "Not Found", "code": "customer_not_found"}
    # The same account id in two services: two clients, never one partner.
    assert own.json()["customer"]["customer_key"] == "nexadesk:nc-9"
    assert (still["name"], still["customer_key"]) == ("Anne Tremblay", "nexacloud:nc-9")


@pytest.mark.parametrize("customer", [{"name": "No id"}, {"external_id": "  ", "name": "Blank"}])
def test_a_customer_without_external_id_is_422_in_lagos_shape(tmp_path: Path,
                                                               customer: dict[str, Any]) -> None:
    settings = settings_in(tmp_path)
    with api_in_thread(settings) as api, api.client("nexacloud") as client:
        answer = client.post("/customers", json={"customer": customer})
    assert answer.status_code == 422
    assert answer.json() == {"status": 422, "error": "Unprocessable Entity",
                             "code": "validation_errors",
                             "error_details": {"external_id": ["value_is_mandatory"]}}
    assert landed(settings.landing) == []


def test_a_hand_landed_link_is_answered_and_a_file_landed_meanwhile_is_seen(
        tmp_path: Path) -> None:
    landing = Landing(tmp_path / "landing")
    settings = settings_in(tmp_path, landing=landing.root)
    with api_in_thread(settings) as api, api.client("nexacloud") as client:
        hand = client.get("/customers/nc-1").json()["customer"]
        # Another process lands a version after the server read the files.
        write_version(landing.root, "accounts", "nexacloud", {
            "service": "nexacloud", "account_id": "nc-1", "customer_key": "C1",
            "name": "Renamed", "updated_at": _utc("2026-11-01T00:00:00")})
        renamed = client.get("/customers/nc-1").json()["customer"]
    assert (hand["name"], hand["customer_key"]) == ("Customer C1", "C1")
    # No version_at in a hand-landed file: its file's time stands in (Lago's clients need one).
    landed = next((landing.root / "accounts").rglob("*.csv")).stat().st_mtime
    expected = dt.datetime.fromtimestamp(int(landed), dt.UTC).isoformat().replace("+00:00", "Z")
    assert hand["updated_at"] == hand["created_at"] == expected
    assert renamed["name"] == "Renamed"
    assert renamed["updated_at"] == "2026-11-01T00:00:00Z"


def test_the_rating_uses_the_latest_version_and_an_update_replaces_it(tmp_path: Path) -> None:
    landing = Landing(tmp_path / "landing")
    landing.usage("a.parquet", [usage_row(value=5)])
    wh = tmp_path / "warehouse.duckdb"
    settings = settings_in(tmp_path, landing=landing.root)
    in_force = "customer_key, name, street, city, province, language"
    with api_in_thread(settings) as api, api.client("nexacloud") as client:
        client.post("/customers", json={"customer": {**ANNE, "external_id": "nc-1",
                                                     "customer_key": "C1"}})
        landing.rate(wh)
        first = table(wh, "validated_accounts", in_force, "account_id = 'nc-1'")
        client.post("/customers", json={"customer": {"external_id": "nc-1",
                                                     "name": "Anne T. inc."}})
        landing.rate(wh)
        second = table(wh, "validated_accounts", in_force, "account_id = 'nc-1'")
    assert first == [("C1", "Anne Tremblay", "12 rue Principale, bureau 4", "Montréal", "QC",
                      "fr_CA")]
    assert second == [("C1", "Anne T. inc.", "12 rue Principale, bureau 4", "Montréal", "QC",
                       "fr_CA")]
    # Superseded versions are not problems: nothing is quarantined, the usage is billed to C1.
    assert table(wh, "reference_quarantine") == []
    assert table(wh, "rated_charges", "DISTINCT customer_key",
                 "account_id = 'nc-1'") == [("C1",)]


def _utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


def test_an_answered_write_survives_kill_9_of_the_server(tmp_path: Path) -> None:
    settings = settings_in(tmp_path)
    with api_process(settings) as (api, process), api.client("nexacloud") as client:
        answer = client.post("/customers", json={"customer": ANNE})
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    assert answer.status_code == 200
    files = [p for p in landed(settings.landing) if p.is_file()]
    assert [pq.read_table(p).to_pylist()[0]["name"] for p in files] == ["Anne Tremblay"]
    with api_in_thread(settings) as again, again.client("nexacloud") as client:
        assert client.get("/customers/nc-9").json()["customer"]["name"] == "Anne Tremblay"
