"""Posting to Odoo: once per key, exact amounts, held when wrong, safe when Odoo misbehaves.

Every test posts over real HTTP to the Odoo-compatible test server
(tests/support/odoo_server.py) with both transports;
`test_posts_every_invoice_once_and_reads_it_back` also runs against a real Odoo with both
transports (its `live-jsonrpc` and `live-json2` params, marker odoo_live: selected by `pytest -m
odoo_live`, deselected by CI's `-m "not odoo_live"`). They need ODOO_URL and ODOO_DB, ODOO_USER
and ODOO_PASSWORD for jsonrpc, ODOO_API_KEY for json2 (ODOO_TRANSPORT is ignored); without
ODOO_URL they are skipped, with ODOO_URL but a transport's credentials missing they fail."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from rating.odoo import gateway as odoo
from rating.odoo.payload import Precision
from rating.odoo.posting import PeriodOpen, PostingFailed, PostingOptions, post_period
from tests.support.odoo_server import Fault, OdooTestServer
from tests.support.posting import (
    PERIOD,
    apply_setup,
    gateway_for,
    money,
    move_a_dollar_between_lines,
    moves,
    rated_period,
    rated_totals,
)
from tests.support.usage_builder import rows, scalar, table

TRANSPORTS = ("jsonrpc", "json2")
D = Decimal


@pytest.fixture
def wh(posting_wh: Path) -> Path:
    return posting_wh


@pytest.fixture
def server() -> Iterator[OdooTestServer]:
    with OdooTestServer(password="pw-not-in-any-log", api_key="key-not-in-any-log") as running:
        yield running


def created(server: OdooTestServer, model: str = "account.move") -> int:
    return sum(1 for c in server.calls if c.model == model and c.method == "create" and c.ok)


def ledger(wh: Path) -> list[tuple[Any, ...]]:
    return table(wh, "odoo_postings", "invoice_key, state, odoo_move_id IS NOT NULL")


def live_settings(transport: str) -> odoo.OdooSettings:
    """The real Odoo of the environment (ODOO_URL...) over `transport`, whatever ODOO_TRANSPORT
    says; skips without ODOO_URL, fails when ODOO_URL is set but the transport's credentials
    are not."""
    settings = odoo.settings_from_environment({**os.environ, "ODOO_TRANSPORT": transport})
    if settings is None:
        pytest.skip("no ODOO_URL: the live Odoo test is skipped")
    return settings


LIVE = pytest.mark.odoo_live


@pytest.fixture(params=[*TRANSPORTS, pytest.param("live-jsonrpc", marks=LIVE),
                        pytest.param("live-json2", marks=LIVE)])
def target(request: pytest.FixtureRequest, tmp_path: Path
           ) -> Iterator[tuple[odoo.Gateway, Path]]:
    """(gateway, warehouse) on the test server with each transport, or on a real Odoo with
    each transport ("live-<transport>", marker odoo_live)."""
    where, _, transport = str(request.param).rpartition("-")
    if where == "live":
        try:
            settings = live_settings(transport)
        except ValueError as exc:  # ODOO_URL set, this transport's credentials missing
            pytest.fail(f"ODOO_URL is set but the live {transport} test cannot run: {exc}")
        assert settings.transport == transport
        # Keys unique to this run, so a real database keeps earlier runs' invoices apart.
        wh = rated_period(tmp_path, prefix=f"FT{uuid.uuid4().hex[:8].upper()}-")
        gateway = odoo.connect(settings)
        apply_setup(gateway)  # what an operator runs once: idempotent, so every live run may
        yield gateway, wh
        return
    wh = rated_period(tmp_path)
    with OdooTestServer() as running:
        yield gateway_for(running, transport), wh


@pytest.mark.slow
def test_posts_every_invoice_once_and_reads_it_back(target: tuple[odoo.Gateway, Path]) -> None:
    gateway, wh = target
    rated = rated_totals(wh)
    report = post_period(wh, PERIOD, gateway)
    assert (report.posted, report.held) == (len(rated), [])
    found = moves(gateway, list(rated))
    assert sorted(m["x_fc_billing_key"] for m in found) == sorted(rated)
    assert all(m["state"] == "posted" and m["name"] not in ("/", False) for m in found)
    assert {m["x_fc_billing_key"]: money(m["amount_untaxed"]) for m in found} == rated
    assert table(wh, "reconciliation_odoo", "status, count(*)", "TRUE GROUP BY status") == [
        ("match", len(rated))]
    numbers = dict(rows(wh, "SELECT invoice_key, odoo_number FROM odoo_postings"))
    assert numbers == {m["x_fc_billing_key"]: m["name"] for m in found}

    again = post_period(wh, PERIOD, gateway)
    assert (again.posted, again.already_posted, again.created) == (0, len(rated), 0)
    assert len(moves(gateway, list(rated))) == len(rated)


@pytest.mark.slow
@pytest.mark.parametrize("transport", TRANSPORTS)
def test_partners_products_and_taxes_come_from_odoo(server: OdooTestServer, wh: Path,
                                                    transport: str) -> None:
    post_period(wh, PERIOD, gateway_for(server, transport))
    partners = {p["ref"]: p for p in server.records("res.partner") if p.get("ref")}
    assert sorted(partners) == ["C1", "C2", "C3", "C4"]
    refs = [p["ref"] for p in server.records("res.partner") if p.get("ref")]
    assert len(refs) == len(set(refs))
    products = sorted(p["default_code"] for p in server.records("product.product"))
    # NC-STORAGE: the graduated first tier's flat fee is charged even without usage.
    assert products == ["NC-INSTANCES", "NC-STORAGE", "NC-VCPU", "NM-TILES"]
    taxes = {m["x_fc_billing_key"]: (money(m["amount_untaxed"]), money(m["amount_tax"]))
             for m in server.records("account.move")}
    untaxed, tax = taxes["C1/nexacloud/2026-10"]          # Ontario: HST 13%
    assert tax == (untaxed * D("0.13")).quantize(D("0.01")) or tax > 0
    assert taxes["C4/nexacloud/2026-10"][1] == 0         # New York: no Canadian tax
    # A second period's run (or a rerun) creates no second partner or product.
    post_period(wh, PERIOD, gateway_for(server, transport))
    assert created(server, "res.partner") == 1 and created(server, "product.product") == 1


@pytest.mark.slow
@pytest.mark.parametrize(("price_digits", "tiles_quantity"), [(2, D(1)), (7, D(1000000))])
def test_lines_survive_odoos_precision(wh: Path, price_digits: int,
                                       tiles_quantity: Decimal) -> None:
    with OdooTestServer(price_digits=price_digits) as server:
        report = post_period(wh, PERIOD, gateway_for(server, "jsonrpc"))
        assert report.held == []
        lines = [line for line in server.records("account.move.line")
                 if str(line["name"]).startswith("Map tiles")]
        first = min(lines, key=lambda line: line["id"])
        assert money(D(str(first["quantity"]))) == money(tiles_quantity)
        assert "at 0.0000125" in first["name"]
        assert all(m["state"] == "posted" for m in server.records("account.move"))
    assert scalar(wh, "SELECT count(*) FROM reconciliation_odoo WHERE status <> 'match'") == 0


@pytest.mark.slow
def test_a_draft_odoo_totals_otherwise_is_written_again_on_the_next_run(server: OdooTestServer,
                                                                       wh: Path) -> None:
    gateway = gateway_for(server, "json2")
    post_period(wh, PERIOD, gateway, PostingOptions(post=False))
    key = "C1/nexamaps/2026-10"
    move = next(m for m in server.records("account.move") if m["x_fc_billing_key"] == key)
    [line] = [ln for ln in server.records("account.move.line") if ln["move_id"] == move["id"]]
    server.execute("account.move.line", "write", [line["id"]], vals={"price_unit": 99})
    first = post_period(wh, PERIOD, gateway)
    assert [(k, s) for k, s, _ in first.held] == [(key, "amount_mismatch")]
    second = post_period(wh, PERIOD, gateway)
    assert (second.held, second.updated, second.posted) == ([], 1, 1)
    assert table(wh, "reconciliation_odoo", "DISTINCT status") == [("match",)]


@pytest.mark.slow
def test_a_read_back_difference_leaves_the_invoice_in_draft(server: OdooTestServer,
                                                            wh: Path) -> None:
    gateway = gateway_for(server, "jsonrpc")
    included = [t["id"] for t in server.records("account.tax") if t["price_include"]]
    gateway.call("product.product", "create", vals_list=[
        {"name": "Map tiles (tax included)", "default_code": "NM-TILES", "type": "service",
         "taxes_id": [[6, 0, included]]}])
    report = post_period(wh, PERIOD, gateway)
    held = {key for key, state, _ in report.held if state == "amount_mismatch"}
    assert held == {f"C{n}/nexamaps/2026-10" for n in range(1, 5)}
    states = {m["x_fc_billing_key"]: m["state"] for m in server.records("account.move")}
    assert {k: s for k, s in states.items() if k in held} == dict.fromkeys(held, "draft")
    assert report.posted == 4
    mismatches = table(wh, "reconciliation_odoo", "invoice_key", "status = 'amount_differs'")
    assert {k for (k,) in mismatches} == held


@pytest.mark.engine
def test_a_state_fusion_rating_never_writes_stops_the_run_before_any_change(
        server: OdooTestServer, wh: Path) -> None:
    gateway = gateway_for(server, "json2")
    post_period(wh, PERIOD, gateway, PostingOptions(post=False))
    key = "C1/nexamaps/2026-10"
    with duckdb.connect(str(wh)) as con:
        con.execute("UPDATE odoo_postings SET state = 'done by hand' WHERE invoice_key = ?",
                    [key])
    calls = len(server.calls)
    with pytest.raises(ValueError, match=f"holds the state 'done by hand' for {key}"):
        post_period(wh, PERIOD, gateway)
    assert len(server.calls) == calls
    assert {m["state"] for m in server.records("account.move")} == {"draft"}


@pytest.mark.slow
def test_a_refused_invoice_does_not_block_the_others(server: OdooTestServer, wh: Path) -> None:
    bad = "C3/nexacloud/2026-10"
    server.inject(Fault("reject", model="account.move", method="create", times=100,
                        predicate=lambda p: any(v.get("x_fc_billing_key") == bad
                                                for v in p.get("vals_list", []))))
    report = post_period(wh, PERIOD, gateway_for(server, "json2"))
    assert [(k, s) for k, s, _ in report.held] == [(bad, "rejected")]
    assert "Rejected by test fault" in report.held[0][2]
    assert report.posted == 7
    assert sorted(m["x_fc_billing_key"] for m in server.records("account.move")) == sorted(
        k for k in rated_totals(wh) if k != bad)
    assert (bad, "missing_in_odoo") in table(wh, "reconciliation_odoo", "invoice_key, status")


@pytest.mark.slow
@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("fault", [
    ("drop_after", "account.move", "create", {}),
    ("slow", "account.move", "create", {"seconds": 2.5}),
    ("drop_after", "res.partner", "create", {}),
    ("http_500", "account.move", "search_read", {"times": 2}),
    ("drop_before", "account.move", "read", {}),
], ids=lambda f: f"{f[0]}-{f[1]}.{f[2]}")
def test_a_lost_answer_never_makes_a_second_invoice(wh: Path, transport: str,
                                                    fault: tuple[str, str, str, dict[str, Any]]
                                                    ) -> None:
    kind, model, method, extra = fault
    with OdooTestServer() as server:
        server.inject(Fault(kind, model=model, method=method, **extra))
        report = post_period(wh, PERIOD, gateway_for(server, transport, timeout=1.0))
        assert report.held == []
        refs = [m["x_fc_billing_key"] for m in server.records("account.move")]
        assert sorted(refs) == sorted(rated_totals(wh))
        assert len([p for p in server.records("res.partner") if p.get("ref")]) == 4
        assert all(m["state"] == "posted" for m in server.records("account.move"))


@pytest.mark.slow
def test_a_lost_post_answer_fails_the_run_and_the_rerun_finishes(server: OdooTestServer,
                                                                  wh: Path) -> None:
    server.inject(Fault("drop_after", model="account.move", method="action_post"))
    with pytest.raises(PostingFailed, match="run again to resume"):
        post_period(wh, PERIOD, gateway_for(server, "jsonrpc"))
    report = post_period(wh, PERIOD, gateway_for(server, "jsonrpc"))
    assert report.held == []
    keys = sorted(m["x_fc_billing_key"] for m in server.records("account.move"))
    assert keys == sorted(rated_totals(wh))
    assert {s for (_, s, _) in ledger(wh)} == {"posted"}


@pytest.mark.fast
def test_odoo_down_is_a_clear_failure_that_names_what_was_posted(wh: Path) -> None:
    with OdooTestServer() as server:
        url = server.url
    gateway = odoo.connect(odoo.OdooSettings(url=url, database="fusion", login="admin",
                                             password="admin", timeout=0.5, attempts=2,
                                             backoff=0.01))
    with pytest.raises(PostingFailed, match=r"0 of 8 invoices are posted.*8 were not finished"):
        post_period(wh, PERIOD, gateway)
    assert ledger(wh) == []


@pytest.mark.slow
def test_drafts_on_an_open_period_then_posting_once_closed(tmp_path: Path,
                                                           server: OdooTestServer) -> None:
    gateway = gateway_for(server, "jsonrpc")
    wh = rated_period(tmp_path, close=False)
    with pytest.raises(PeriodOpen):
        post_period(wh, PERIOD, gateway)
    drafts = post_period(wh, PERIOD, gateway, PostingOptions(post=False))
    assert (drafts.created, drafts.posted, drafts.states) == (8, 0, {"draft": 8})
    # More usage lands (a second file of every counter): every draft follows.
    rated_period(tmp_path, close=False, extra_vcpu=100)
    changed = post_period(wh, PERIOD, gateway, PostingOptions(post=False))
    assert (changed.created, changed.updated) == (0, 8)
    odoo_totals = {m["x_fc_billing_key"]: money(m["amount_untaxed"])
                   for m in server.records("account.move")}
    assert odoo_totals == rated_totals(wh)

    from rating.rate.engine import close_period
    close_period(wh, PERIOD)
    final = post_period(wh, PERIOD, gateway)
    assert (final.created, final.updated, final.posted) == (0, 0, 8)
    assert len(server.records("account.move")) == 8


@pytest.mark.slow
def test_a_posted_invoice_worded_otherwise_by_another_version_is_not_flagged(
        server: OdooTestServer, wh: Path) -> None:
    gateway = gateway_for(server, "json2")
    post_period(wh, PERIOD, gateway)
    import duckdb
    with duckdb.connect(str(wh)) as con:  # as if an earlier version had hashed other wording
        con.execute("UPDATE odoo_postings SET content_hash = 'worded by an earlier version'")
    # ...and one invoice really changed, its total unchanged.
    move_a_dollar_between_lines(wh, "C2/nexacloud/2026-10")
    report = post_period(wh, PERIOD, gateway)
    assert [(k, s) for k, s, _ in report.held] == [("C2/nexacloud/2026-10",
                                                    "changed_after_posting")]
    assert (report.already_posted, report.created) == (7, 0)
    assert report.notes == ["7 posted invoices read otherwise in this version (their "
                            "descriptions or booking settings) with the same lines and amounts: "
                            "recorded as posted, nothing to adjust"]
    again = post_period(wh, PERIOD, gateway)  # flagged until a person acts
    assert (again.already_posted, again.notes) == (7, [])
    assert [(k, s) for k, s, _ in again.held] == [("C2/nexacloud/2026-10",
                                                   "changed_after_posting")]
    assert not [c for c in server.calls if c.method == "write"]


@pytest.mark.slow
def test_a_posted_invoice_whose_content_changed_is_flagged_never_edited(
        server: OdooTestServer, wh: Path) -> None:
    gateway = gateway_for(server, "jsonrpc")
    post_period(wh, PERIOD, gateway)
    before = {m["id"]: m["amount_untaxed"] for m in server.records("account.move")}
    import duckdb
    con = duckdb.connect(str(wh))
    con.execute("UPDATE invoice_lines SET amount = amount + 1 "
                "WHERE invoice_key = 'C2/nexacloud/2026-10' AND line_number = 1")
    con.close()
    report = post_period(wh, PERIOD, gateway)
    assert [(k, s) for k, s, _ in report.held] == [("C2/nexacloud/2026-10",
                                                    "changed_after_posting")]
    assert {m["id"]: m["amount_untaxed"] for m in server.records("account.move")} == before
    assert not [c for c in server.calls if c.method == "write"]
    again = post_period(wh, PERIOD, gateway)  # and again: the flag stays until a person acts
    assert [(k, s) for k, s, _ in again.held] == [("C2/nexacloud/2026-10",
                                                   "changed_after_posting")]
    status = dict(table(wh, "reconciliation_odoo", "invoice_key, status"))
    assert status["C2/nexacloud/2026-10"] == "amount_differs"


@pytest.mark.fast
def test_the_dry_run_writes_the_exact_payloads(wh: Path) -> None:
    report = post_period(wh, PERIOD, None, PostingOptions(precision=Precision()))
    assert (report.dry_run, report.states) == (True, {"dry_run": 8})
    import json
    payloads = {k: json.loads(p) for k, p in rows(wh, "SELECT invoice_key, payload "
                                                      "FROM odoo_outbox")}
    assert sorted(payloads) == sorted(rated_totals(wh))
    first = payloads["C1/nexamaps/2026-10"]
    assert first["partner"] == {"ref": "C1", "name": "Customer C1 Inc.",
                                "email": "billing@c1.example.ca", "country": "CA",
                                "province": "ON", "street": "100 King St W",
                                "city": "Toronto", "postal_code": "M5X 1A9", "lang": None}
    assert payloads["C2/nexamaps/2026-10"]["partner"]["lang"] == "fr_CA"  # Quebec
    assert first["x_fc_billing_key"] == "C1/nexamaps/2026-10"
    assert first["invoice_origin"] == "NexaMaps API usage, October 2026"
    assert (first["income_account"], first["product_category"], first["analytic_account"],
            first["payment_term"]) == ("411200", "NexaMaps API", "NexaMaps API", None)
    assert first["invoice_date"] == "2026-10-31"
    assert first["lines"][0]["product"] == "NM-TILES"
    assert first["lines"][0]["quantity"] == "1"   # 0.0000125 would not survive 2 digits
    assert {k: D(p["amount_untaxed"]) for k, p in payloads.items()} == rated_totals(wh)
    assert table(wh, "reconciliation_odoo", "DISTINCT status") == [("dry_run",)]


@pytest.mark.fast
def test_settings_come_from_the_environment_and_hide_secrets() -> None:
    assert odoo.settings_from_environment({}) is None
    settings = odoo.settings_from_environment({
        "ODOO_URL": "https://nexa.example.com", "ODOO_DB": "nexa", "ODOO_API_KEY": "abc123"})
    assert settings is not None and settings.transport == "json2"
    assert "abc123" not in repr(settings)
    with pytest.raises(ValueError, match="needs a login and a password"):
        odoo.settings_from_environment({"ODOO_URL": "https://x.example.com",
                                        "ODOO_TRANSPORT": "jsonrpc"})


@pytest.mark.fast
def test_a_password_written_into_the_url_is_never_shown() -> None:
    settings = odoo.settings_from_environment({
        "ODOO_URL": "https://admin:pw-in-url@nexa.example.com:8443/", "ODOO_DB": "nexa",
        "ODOO_API_KEY": "abc123"})
    assert settings is not None
    assert settings.shown_url == "https://nexa.example.com:8443/"
    with pytest.raises(ValueError, match="must be http") as refused:
        odoo.settings_from_environment({"ODOO_URL": "ftp://admin:pw-in-url@nexa.example.com",
                                        "ODOO_DB": "nexa", "ODOO_API_KEY": "abc123"})
    assert "pw-in-url" not in str(refused.value)
    assert "ftp://nexa.example.com" in str(refused.value)


@pytest.mark.fast
def test_only_read_calls_are_retried() -> None:
    class Flaky:
        def __init__(self) -> None:
            self.sent: list[str] = []

        def call(self, model: str, method: str, ids: Any, params: Any) -> Any:
            self.sent.append(method)
            raise odoo.OdooUnreachable("connection reset")

        def server_version(self) -> str:
            return "19.0"

    flaky = Flaky()
    sleeps: list[float] = []
    gateway = odoo.Gateway(flaky, attempts=4, backoff=0.5, sleep=sleeps.append)
    with pytest.raises(odoo.OdooUnreachable):
        gateway.call("account.move", "search_read", domain=[])
    assert (flaky.sent, sleeps) == (["search_read"] * 4, [0.5, 1.0, 2.0])
    with pytest.raises(odoo.OdooUnreachable):
        gateway.call("account.move", "create", vals_list=[{}])
    assert flaky.sent[4:] == ["create"]


@pytest.mark.fast
def test_the_live_test_runs_each_transport_with_its_own_credentials(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """What `target` does with the environment for its live params (no Odoo needed)."""
    for name in ("ODOO_URL", "ODOO_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(pytest.skip.Exception, match="no ODOO_URL"):
        live_settings("jsonrpc")
    monkeypatch.setenv("ODOO_URL", "http://127.0.0.1:8069")
    monkeypatch.setenv("ODOO_DB", "fusion")
    monkeypatch.setenv("ODOO_USER", "admin")
    monkeypatch.setenv("ODOO_PASSWORD", "secret")
    monkeypatch.setenv("ODOO_TRANSPORT", "json2")  # overridden per param
    assert live_settings("jsonrpc").transport == "jsonrpc"
    with pytest.raises(ValueError, match="ODOO_API_KEY"):  # fails, never skipped
        live_settings("json2")
    monkeypatch.setenv("ODOO_API_KEY", "key")
    monkeypatch.setenv("ODOO_TRANSPORT", "jsonrpc")
    assert live_settings("json2").transport == "json2"


@pytest.mark.slow
def test_an_invoice_reset_to_draft_in_odoo_is_left_to_accounting(server: OdooTestServer,
                                                                 wh: Path) -> None:
    gateway = gateway_for(server, "jsonrpc")
    post_period(wh, PERIOD, gateway)
    key = "C1/nexacloud/2026-10"
    move = next(m for m in server.records("account.move") if m["x_fc_billing_key"] == key)
    server.execute("account.move", "button_draft", [move["id"]])
    report = post_period(wh, PERIOD, gateway)
    assert [(k, s) for k, s, _ in report.held] == [(key, "reset_to_draft_in_odoo")]
    move = next(m for m in server.records("account.move") if m["x_fc_billing_key"] == key)
    assert move["state"] == "draft"


@pytest.mark.fast
@pytest.mark.parametrize("transport", TRANSPORTS)
def test_wrong_credentials_are_a_clear_failure(server: OdooTestServer, wh: Path,
                                               transport: str) -> None:
    settings = odoo.OdooSettings(url=server.url, database=server.db, login=server.login,
                                 password="wrong", api_key="wrong", transport=transport)
    with pytest.raises(PostingFailed, match="refused a call"):
        post_period(wh, PERIOD, odoo.connect(settings))
    assert server.records("account.move") == []


@pytest.mark.fast
def test_a_dry_run_names_the_invoices_it_could_not_post(wh: Path) -> None:
    report = post_period(wh, PERIOD, None, PostingOptions(precision=Precision(price_digits=1)))
    held = sorted(k for k, s, _ in report.held if s == "not_postable")
    assert held and report.states["not_postable"] == len(held)
    assert table(wh, "reconciliation_odoo", "invoice_key", "status = 'not_postable'") == [
        (k,) for k in held]
