"""GET /customers/{external_id}/invoices, /invoices and /invoices/{lago_id} over real HTTP,
from a warehouse built for real: 2026-10 rated and closed (tests.support.posting), a
supplementary invoice and a credit note issued for it (tests.support.adjustments), everything
posted to the Odoo test server and read back, then the analysts' copy published as every
writing command does."""

from __future__ import annotations

import shutil
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from rating import warehouse
from rating.api.invoices import document_id
from rating.finance.run import publish_analyst_copy
from rating.odoo.posting import PostingOptions, post_period
from tests.support.adjustments import issue
from tests.support.api_server import RunningApi, api_in_thread, settings_in
from tests.support.odoo_server import OdooTestServer
from tests.support.posting import PERIOD, gateway_for, rated_period

pytestmark = pytest.mark.engine
SERVICES = ("nexacloud", "nexamaps", "nexadesk")
SUPPLEMENTED, CREDITED = "C1/nexacloud/2026-10", "C2/nexacloud/2026-10"
VOIDED, REDRAFTED = "C3/nexacloud/2026-10", "C4/nexacloud/2026-10"


@dataclass
class Billed:
    """The warehouse as posted, and Odoo's moves by our key."""

    root: Path
    moves: dict[str, dict[str, Any]]


@pytest.fixture(scope="module")
def billed(tmp_path_factory: pytest.TempPathFactory) -> Billed:
    """Five customers (C5 has a NexaMaps account and no usage); C1's NexaCloud invoice got a
    supplementary invoice, C2's a credit note; in Odoo a person cancelled C3's NexaCloud
    invoice and set C4's back to draft, and the next posting run read that back."""
    root = tmp_path_factory.mktemp("billed")
    wh = rated_period(root, count=5, idle=1)
    issue(wh, f"{SUPPLEMENTED}/r1", SUPPLEMENTED, "supplementary_invoice",
          [("NC-VCPU", "16.20"), ("NC-INSTANCES", "-4.05")])
    issue(wh, f"{CREDITED}/r1", CREDITED, "credit_note", [("NC-VCPU", "-3.50")])
    with OdooTestServer() as server:
        gateway = gateway_for(server, "json2")
        assert post_period(wh, PERIOD, gateway).held == []
        ids = {m["x_fc_billing_key"]: m["id"] for m in server.records("account.move")}
        gateway.call("account.move", "button_cancel", [ids[VOIDED]])
        gateway.call("account.move", "button_draft", [ids[REDRAFTED]])
        post_period(wh, PERIOD, gateway)
        moves = {m["x_fc_billing_key"]: m for m in server.records("account.move")}
    publish_analyst_copy(wh)
    return Billed(root, moves)


@pytest.fixture(scope="module")
def api(billed: Billed, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApi]:
    settings = replace(settings_in(tmp_path_factory.mktemp("api")),
                       warehouse=billed.root / "warehouse.duckdb")
    with api_in_thread(settings, SERVICES) as running:
        yield running


def get(api: RunningApi, service: str, path: str, **params: Any) -> Any:
    with api.client(service) as client:
        answer = client.get(path, params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_a_customer_sees_its_invoice_and_the_supplementary_invoice_with_exact_amounts(
        api: RunningApi, billed: Billed) -> None:
    listed = get(api, "nexacloud", "/customers/nexacloud-C1/invoices")
    original, supplementary = billed.moves[SUPPLEMENTED], billed.moves[f"{SUPPLEMENTED}/r1"]
    assert [(i["number"], i["document_kind"], i["invoice_type"], i["status"],
             i["issuing_date"], i["currency"], i["fees_amount_cents"],
             i["taxes_amount_cents"], i["total_amount_cents"]) for i in listed["invoices"]] == [
        (supplementary["name"], "supplementary_invoice", "subscription", "finalized",
         "2026-12-02", "CAD", 1215, 158, 1373),
        (original["name"], "invoice", "subscription", "finalized", "2026-10-31", "CAD",
         2925, 380, 3305)]
    assert listed["meta"] == {"current_page": 1, "next_page": None, "prev_page": None,
                              "total_pages": 1, "total_count": 2}
    first, second = listed["invoices"]
    # Lago's Python client refuses an invoice without these (payments are Odoo's).
    assert [(i["payment_status"], i["payment_overdue"], i["net_payment_term"],
             i["total_due_amount_cents"]) for i in listed["invoices"]] == [
        ("pending", False, 0, 1373), ("pending", False, 0, 3305)]
    assert first["adjustment"] == {
        "revision": 1, "reason": "late_usage", "reason_text": "Late usage",
        "adjusted_invoice": {"lago_id": second["lago_id"], "number": original["name"]}}
    assert (first["billing_period"], first["customer_key"], first["odoo_move_id"],
            first["sequential_id"]) == (PERIOD, "C1", supplementary["id"], supplementary["id"])
    assert second["adjustment"] is None
    assert second["lago_id"] == str(uuid.uuid3(uuid.NAMESPACE_URL, SUPPLEMENTED))


def test_a_credit_note_is_shown_positive_and_linked_to_the_invoice_it_reverses(
        api: RunningApi, billed: Billed) -> None:
    credit = get(api, "nexacloud", "/customers/nexacloud-C2/invoices")["invoices"][0]
    move = billed.moves[f"{CREDITED}/r1"]
    assert move["move_type"] == "out_refund"
    assert (credit["number"], credit["invoice_type"], credit["document_kind"],
            credit["fees_amount_cents"], credit["taxes_amount_cents"],
            credit["total_amount_cents"]) == (move["name"], "credit_note", "credit_note",
                                              350, 18, 368)
    assert credit["total_due_amount_cents"] == 0
    assert credit["adjustment"]["adjusted_invoice"] == {
        "lago_id": document_id(CREDITED), "number": billed.moves[CREDITED]["name"]}


def test_every_document_carries_odoos_amounts_in_exact_cents(api: RunningApi,
                                                             billed: Billed) -> None:
    shown = get(api, "nexacloud", "/invoices")["invoices"]
    by_id = {i["odoo_move_id"]: i for i in shown}
    expected = {m["id"]: m for k, m in billed.moves.items() if "/nexacloud/" in k}
    assert sorted(by_id) == sorted(expected)
    for move_id, move in expected.items():
        cents = [round(move[f] * 100) for f in ("amount_untaxed", "amount_tax", "amount_total")]
        invoice = by_id[move_id]
        assert [invoice["fees_amount_cents"], invoice["taxes_amount_cents"],
                invoice["total_amount_cents"]] == cents
        assert invoice["number"] == move["name"]
        assert all(isinstance(invoice[f], int) for f in invoice if f.endswith("_cents"))


def test_a_document_cancelled_in_odoo_is_voided_and_one_set_back_to_draft_is_draft(
        api: RunningApi, billed: Billed) -> None:
    voided = get(api, "nexacloud", "/customers/nexacloud-C3/invoices")["invoices"]
    redrafted = get(api, "nexacloud", "/customers/nexacloud-C4/invoices")["invoices"]
    assert [(i["number"], i["status"]) for i in voided] == [
        (billed.moves[VOIDED]["name"], "voided")]
    # Nothing is owed on a cancelled document, whatever its amounts.
    assert [(i["total_due_amount_cents"] == 0, i["total_amount_cents"] > 0) for i in voided] == [
        (True, True)]
    assert [(i["number"], i["status"]) for i in redrafted] == [
        (billed.moves[REDRAFTED]["name"], "draft")]
    finalized = get(api, "nexacloud", "/invoices", status="finalized")
    assert {i["status"] for i in finalized["invoices"]} == {"finalized"}
    assert finalized["meta"]["total_count"] == 4


def test_pages_follow_lagos_page_and_per_page(api: RunningApi) -> None:
    pages = [get(api, "nexacloud", "/invoices", page=n, per_page=4) for n in (1, 2, 3)]
    assert [p["meta"] for p in pages] == [
        {"current_page": 1, "next_page": 2, "prev_page": None, "total_pages": 2,
         "total_count": 6},
        {"current_page": 2, "next_page": None, "prev_page": 1, "total_pages": 2,
         "total_count": 6},
        {"current_page": 3, "next_page": None, "prev_page": 2, "total_pages": 2,
         "total_count": 6}]
    assert [len(p["invoices"]) for p in pages] == [4, 2, 0]
    whole = get(api, "nexacloud", "/invoices")["invoices"]
    assert [i["lago_id"] for p in pages for i in p["invoices"]] == [i["lago_id"] for i in whole]
    one = get(api, "nexacloud", "/customers/nexacloud-C1/invoices", per_page=1, page=2)
    assert [i["document_kind"] for i in one["invoices"]] == ["invoice"]


def test_lagos_list_by_external_customer_id_answers_as_the_customer_route(
        api: RunningApi) -> None:
    assert get(api, "nexacloud", "/invoices", external_customer_id="nexacloud-C1") == \
        get(api, "nexacloud", "/customers/nexacloud-C1/invoices")


def test_one_invoice_is_found_by_its_lago_id(api: RunningApi, billed: Billed) -> None:
    found = get(api, "nexacloud", f"/invoices/{document_id(f'{CREDITED}/r1')}")["invoice"]
    assert found["number"] == billed.moves[f"{CREDITED}/r1"]["name"]


def test_a_key_sees_only_its_services_customers_and_invoices(api: RunningApi) -> None:
    with api.client("nexadesk") as desk, api.client("nexamaps") as maps:
        other_customer = desk.get("/customers/nexacloud-C1/invoices")
        other_invoice = desk.get(f"/invoices/{document_id(SUPPLEMENTED)}")
        own_account_other_service = maps.get(f"/invoices/{document_id(SUPPLEMENTED)}")
        not_an_id = maps.get("/invoices/C1")
        maps_c1 = maps.get("/customers/nexamaps-C1/invoices").json()
    assert other_customer.status_code == 404
    assert other_customer.json() == {"status": 404, "error": "Not Found",
                                     "code": "customer_not_found"}
    assert other_invoice.json()["code"] == own_account_other_service.json()["code"] == \
        not_an_id.json()["code"] == "invoice_not_found"
    assert [(i["customer_key"], i["number"]) for i in maps_c1["invoices"]] == [
        ("C1", maps_c1["invoices"][0]["number"])]
    assert maps_c1["invoices"][0]["lago_id"] == document_id("C1/nexamaps/2026-10")


def test_a_customer_without_invoices_gets_an_empty_list(api: RunningApi) -> None:
    assert get(api, "nexamaps", "/customers/nexamaps-C5/invoices") == {
        "invoices": [], "meta": {"current_page": 1, "next_page": None, "prev_page": None,
                                 "total_pages": 0, "total_count": 0}}


def test_a_customer_created_through_the_api_and_not_yet_rated_has_an_empty_list(
        api: RunningApi) -> None:
    with api.client("nexamaps") as maps, api.client("nexadesk") as desk:
        created = maps.post("/customers", json={"customer": {"external_id": "nm-new",
                                                             "name": "New client"}})
        listed = maps.get("/customers/nm-new/invoices")
        elsewhere = desk.get("/customers/nm-new/invoices")
    assert created.status_code == 200
    assert (listed.status_code, listed.json()["invoices"]) == (200, [])
    assert elsewhere.json()["code"] == "customer_not_found"


def test_what_is_rated_or_only_drafted_in_odoo_is_not_an_invoice_yet(
        posting_wh: Path, tmp_path: Path) -> None:
    settings = replace(settings_in(tmp_path), warehouse=posting_wh)
    seen = []
    with api_in_thread(settings, SERVICES) as api, OdooTestServer() as server:
        for options in (None, PostingOptions(post=False), PostingOptions()):
            if options is not None:
                post_period(posting_wh, PERIOD, gateway_for(server, "json2"), options)
            publish_analyst_copy(posting_wh)
            listed = get(api, "nexacloud", "/customers/nexacloud-C1/invoices")
            seen.append([i["status"] for i in listed["invoices"]])
    assert seen == [[], [], ["finalized"]]


def test_before_any_copy_is_published_the_answer_is_503_with_retry_after(
        tmp_path: Path) -> None:
    with api_in_thread(settings_in(tmp_path), SERVICES) as api, \
            api.client("nexacloud") as client:
        answer = client.get("/customers/nexacloud-C1/invoices")
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "60"
    assert answer.json()["code"] == "warehouse_not_published"


def test_a_page_below_one_is_refused_in_lagos_shape(api: RunningApi) -> None:
    with api.client("nexacloud") as client:
        answer = client.get("/customers/nexacloud-C1/invoices", params={"page": 0})
    assert answer.status_code == 422
    assert answer.json()["error_details"] == {"query": {"page": ["greater_than_equal"]}}


def test_the_copy_published_last_is_the_one_read(billed: Billed, tmp_path: Path) -> None:
    """The documents are read once per copy: a copy replaced while the server runs is read
    at the next request, without a restart; none there is 503."""
    root = tmp_path / "copy"
    shutil.copytree(billed.root, root)
    wh = root / "warehouse.duckdb"
    settings = replace(settings_in(tmp_path), warehouse=wh)
    with api_in_thread(settings, SERVICES) as api:
        before = get(api, "nexacloud", "/invoices")["meta"]["total_count"]
        (root / "warehouse-analysts.duckdb").unlink()
        with api.client("nexacloud") as client:
            gone = client.get("/invoices").status_code
        with warehouse.writer(wh) as con:
            con.execute("DELETE FROM odoo_postings WHERE invoice_key = ?", [VOIDED])
        publish_analyst_copy(wh)
        after = get(api, "nexacloud", "/invoices")["meta"]["total_count"]
    assert (before, gone, after) == (6, 503, 5)


def test_an_account_linked_to_another_customer_since_sees_the_invoices_as_rated(
        billed: Billed, tmp_path: Path) -> None:
    """A later rating links nexacloud-C1 to C2 (validated_accounts is what the latest rating
    used): October was rated with C1, so the account still sees C1's October documents, and
    never C2's."""
    root = tmp_path / "relinked"
    shutil.copytree(billed.root, root)
    wh = root / "warehouse.duckdb"
    with warehouse.writer(wh) as con:
        con.execute("UPDATE validated_accounts SET customer_key = 'C2' "
                    "WHERE service = 'nexacloud' AND account_id = 'nexacloud-C1'")
    publish_analyst_copy(wh)
    with api_in_thread(replace(settings_in(tmp_path), warehouse=wh), SERVICES) as api:
        listed = get(api, "nexacloud", "/customers/nexacloud-C1/invoices")["invoices"]
    assert [(i["customer_key"], i["number"]) for i in listed] == [
        ("C1", billed.moves[f"{SUPPLEMENTED}/r1"]["name"]),
        ("C1", billed.moves[SUPPLEMENTED]["name"])]


def test_requests_while_the_copy_is_replaced_each_answer_from_one_copy(
        billed: Billed, tmp_path: Path) -> None:
    root = tmp_path / "busy"
    shutil.copytree(billed.root, root)
    wh = root / "warehouse.duckdb"
    answers: list[tuple[int, int | None]] = []

    def ask(api: RunningApi) -> None:
        with api.client("nexacloud") as client:
            for _ in range(25):
                answer = client.get("/invoices")
                answers.append((answer.status_code,
                                answer.json()["meta"]["total_count"]
                                if answer.status_code == 200 else None))

    with api_in_thread(replace(settings_in(tmp_path), warehouse=wh), SERVICES) as api:
        askers = [threading.Thread(target=ask, args=(api,)) for _ in range(6)]
        for asker in askers:
            asker.start()
        for _ in range(4):
            publish_analyst_copy(wh)
        for asker in askers:
            asker.join()
    assert len(answers) == 150
    assert set(answers) == {(200, 6)}
