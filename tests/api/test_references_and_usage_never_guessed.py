"""Money and data defects an adversarial review of issue 14 found, each over real HTTP and real
files: the API never resolves by a guess what the rating holds (an ambiguous link, a duplicate
subscription), a CRM export's own updated_at is an ignored column, and current_usage decides a
counter as the next ingestion will. Each failed before its fix."""

from pathlib import Path

import pytest

from tests.support.api_server import api_in_thread, settings_in
from tests.support.usage_builder import Landing, table, usage_row

pytestmark = pytest.mark.engine


def test_an_upsert_that_leaves_the_customer_key_out_does_not_resolve_an_ambiguous_link(
        tmp_path: Path) -> None:
    # Two hand-landed files link nc-1 to two customers: the rating holds its usage, never
    # guesses (check_accounts.sql). A Lago client then only updates the email.
    landing = Landing(tmp_path / "landing")
    landing.accounts([("nexacloud", "nc-1", "C9")], name="accounts2.csv")
    landing.usage("a.parquet", [usage_row(value=5)])
    wh = tmp_path / "warehouse.duckdb"
    landing.rate(wh)
    assert table(wh, "rated_charges", "DISTINCT customer_key", "account_id = 'nc-1'") == []
    settings = settings_in(tmp_path, landing=landing.root)
    with api_in_thread(settings) as api, api.client("nexacloud") as client:
        answer = client.post("/customers", json={"customer": {"external_id": "nc-1",
                                                              "email": "billing@example.ca"}})
    landing.rate(wh)
    billed = table(wh, "rated_charges", "DISTINCT customer_key", "account_id = 'nc-1'")
    # Nobody said which customer nc-1 belongs to: it must stay held (or the upsert refused),
    # not billed to whichever hand-landed file's path sorts last.
    assert (answer.status_code, billed) != (200, [("C9",)]), (answer.json(), billed)


def test_current_usage_leaves_out_a_late_push_that_another_accounts_ledger_row_supersedes(
        tmp_path: Path) -> None:
    # A counter first pushed under nc-1 (08:05) was corrected to nc-2 (09:05, another customer)
    # and that correction is already in the ledger; the 08:05 push lands late. The ingestion
    # supersedes it (latest pushed_at wins across the whole ledger): nc-1's invoice has none
    # of it. current_usage must not show it to nc-1 either.
    import datetime as dt

    from tests.api.test_current_usage import _invoiced, _period, _rated

    landing = Landing(tmp_path / "landing")
    landing.accounts([("nexacloud", "nc-2", "C5")], name="accounts2.csv")
    landing.subscriptions([("SUB-NC-2", "nexacloud", "nc-2", "cloud-standard", "2025-01-01", "")],
                          name="subscriptions2.csv")
    settings = settings_in(tmp_path, landing=landing.root)
    period = _period(settings)
    start = period.start + dt.timedelta(hours=2)
    early = usage_row(metric="vcpu_hours", value=400, start=start, counter_id="ctr-moved")
    moved = {**early, "account_id": "nc-2", "pushed_at": early["pushed_at"] + dt.timedelta(hours=1)}
    landing.usage("nexacloud/moved.parquet", [moved])
    _rated(landing, settings, period)
    landing.usage("nexacloud/late.parquet", [early])
    with api_in_thread(settings) as api:
        body = api.client("nexacloud").get("/customers/nc-1/current_usage").json()
    _rated(landing, settings, period, accept_changes=True)
    shown = {c["billable_metric"]["code"]: c["units"]
             for c in body["customer_usage"]["charges_usage"]}
    invoiced_vcpu = [r for r in rows_of(settings.warehouse, period.code)]
    assert invoiced_vcpu == [("SUB-NC-2", "400")]  # the nightly bills it to nc-2 only
    assert shown.get("vcpu_hours", "0") == "0", (shown, _invoiced(settings.warehouse, period,
                                                                  "SUB-NC-1"))


def rows_of(wh: Path, period_code: str) -> list[tuple[str, str]]:
    from decimal import Decimal

    from tests.support.usage_builder import rows

    found = rows(wh, "SELECT subscription_id, sum(quantity) FROM rated_charges "
                 "WHERE billing_period = $p AND metric = 'vcpu_hours' AND line_kind = 'usage' "
                 "GROUP BY ALL HAVING sum(quantity) <> 0", {"p": period_code})
    return [(s, format(Decimal(q).normalize(), "f")) for s, q in found]


def test_terminating_a_subscription_the_rating_holds_as_duplicate_does_not_bill_a_guess(
        tmp_path: Path) -> None:
    # Two hand-landed files disagree on SUB-NC-1 (plan and start): the rating holds it
    # (duplicate_subscription) and bills none of its usage. The app then terminates it.
    landing = Landing(tmp_path / "landing")
    landing.subscriptions([("SUB-NC-1", "nexacloud", "nc-1", "cloud-standard", "2026-10-03", "")],
                          name="subscriptions2.csv")
    landing.usage("a.parquet", [usage_row(value=5)])
    wh = tmp_path / "warehouse.duckdb"
    landing.rate(wh)
    assert table(wh, "rated_charges", "DISTINCT subscription_id",
                 "subscription_id = 'SUB-NC-1'") == []
    settings = settings_in(tmp_path, landing=landing.root)
    with api_in_thread(settings) as api, api.client("nexacloud") as client:
        answer = client.delete("/subscriptions/SUB-NC-1", params={"ending_at": "2026-10-20"})
    landing.rate(wh)
    billed = table(wh, "rated_charges", "DISTINCT subscription_id",
                   "subscription_id = 'SUB-NC-1'")
    # Which version is right was never said: the subscription must stay held (or the
    # termination be refused), not billed as the hand-landed file whose path sorts last says.
    assert (answer.status_code, billed) != (200, [("SUB-NC-1",)]), (answer.json(), billed)


def test_current_usage_bills_usage_of_a_metric_added_to_the_catalog_as_the_next_rating_will(
        tmp_path: Path) -> None:
    # vcpu_hours usage landed while the catalog lacked the metric: quarantined (unknown
    # metric). The metric is then added; the next ingestion decides those rows again and the
    # rating bills them (rating.ingest.usage._redecide_catalog_reasons). current_usage, which
    # says it prices "as the nightly rating would price it now", must show them too.
    import datetime as dt
    import shutil

    from rating.api.settings import ApiSettings
    from tests.api.test_current_usage import _invoiced, _period, _rated
    from tests.support.usage_builder import CATALOG

    catalog = tmp_path / "catalog"
    shutil.copytree(CATALOG, catalog)
    metrics, plans = catalog / "metrics.yaml", catalog / "plans.yaml"
    full_metrics, full_plans = metrics.read_text(), plans.read_text()
    costs = catalog / "costs.yaml"
    costs.write_text(costs.read_text().replace("metric: vcpu_hours", "metric: storage_gb"))
    metrics.write_text("".join(line for line in full_metrics.splitlines(keepends=True)
                               if "code: vcpu_hours" not in line))
    lines = full_plans.splitlines(keepends=True)
    start = lines.index("      - metric: vcpu_hours\n")
    plans.write_text("".join(lines[:start] + lines[start + 6:]))
    landing = Landing(tmp_path / "landing")
    settings = ApiSettings.for_warehouse(landing.root, catalog, tmp_path / "warehouse.duckdb")
    period = _period(settings)
    begin = period.start + dt.timedelta(hours=2)
    landing.usage("nexacloud/a.parquet", [usage_row(metric="vcpu_hours", value=400, start=begin)])
    _rated(landing, settings, period)
    metrics.write_text(full_metrics)
    plans.write_text(full_plans)
    with api_in_thread(settings) as api:
        body = api.client("nexacloud").get("/customers/nc-1/current_usage").json()
    _rated(landing, settings, period, accept_changes=True)
    invoiced = _invoiced(settings.warehouse, period, "SUB-NC-1")
    assert invoiced["cloud-standard:vcpu_hours"] > 0  # the nightly bills the 400 vCPU-h
    shown = {c["billable_metric"]["code"]: c["units"]
             for c in body["customer_usage"]["charges_usage"]}
    assert shown.get("vcpu_hours") == "400", shown


def test_a_hand_landed_accounts_file_whose_crm_export_has_an_updated_at_column_still_bills(
        tmp_path: Path) -> None:
    # Before the reference versions, a column outside the contract was ignored (docs/
    # usage-counters.md: "Extra columns are ignored"). An accounts export from a CRM that
    # carries its own `updated_at` (here in the CRM's day/month format) billed as before;
    # now every row of it is bad_timestamp, the account unknown, its usage held.
    from tests.support.usage_builder import write_csv

    landing = Landing(tmp_path / "landing", accounts=False, subscriptions=False)
    landing.subscriptions([("SUB-NC-1", "nexacloud", "nc-1", "cloud-standard", "2025-01-01",
                            "")])
    write_csv(landing.root / "accounts" / "accounts.csv",
              ("service", "account_id", "customer_key", "name", "email", "country", "province",
               "updated_at"),
              [("nexacloud", "nc-1", "C1", "Customer C1", "c1@example.ca", "CA", "ON",
                "05/10/2026 14:03")])
    landing.usage("a.parquet", [usage_row(value=5)])
    wh = tmp_path / "warehouse.duckdb"
    landing.rate(wh)
    assert table(wh, "reference_quarantine", "reason") == []
    assert table(wh, "rated_charges", "DISTINCT customer_key", "account_id = 'nc-1'") == [
        ("C1",)]
