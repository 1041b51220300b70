"""What the margin report says around its figures (issue 12): the currency on every amount,
costs held for want of an FX rate, customer names, closed or provisional, one time zone, why a
service shows 100 %, and a period without data refused with the command to run."""

import datetime as dt
import html
import re
from decimal import Decimal
from pathlib import Path

import pytest

from rating import warehouse
from rating.cli import main
from rating.reports import margin as margin_report
from tests.reports.test_margin_report import PERIOD, build_warehouse, rated

D = Decimal
AMOUNT = r"-?\d{1,3}(?:,\d{3})*\.\d{2}"
NO_COST_SERVICE = "nexaapps"    # revenue, and no provider cost mapped or landed

# validated_accounts: one row per account; C-001 is linked from two accounts with two names.
ACCOUNTS = [
    ("nexadesk", "d-1", "C-001", "Second Link Ltd."),
    ("nexacloud", "c-9", "C-001", "First Link Inc."),     # first by service, account id
    ("nexacloud", "c-2", "C-003", "Loser & Sons"),
    ("nexadesk", "d-2", "C-002", "Desk Co."),
]

# finance_quarantine rows: (kind, reason, record, service, billing_period, amount, currency)
HELD = [
    ("provider_costs", "missing_fx_rate", "2026-10-15,aws,nexacloud,c-2,vcpu_hours,12.5000,USD",
     "nexacloud", "2026-10", Decimal("12.5"), "USD"),
    ("provider_costs", "missing_fx_rate", "2026-10-31,aws,nexacloud,7.25,USD",      # pooled
     "nexacloud", "2026-10", Decimal("7.25"), "USD"),
    ("provider_costs", "missing_fx_rate", "2026-10-03,openai,nexadesk,4.00,EUR",
     "nexadesk", "2026-10", Decimal("4.00"), "EUR"),
    ("provider_costs", "missing_fx_rate", "2026-09-30,aws,nexacloud,1000.00,USD",   # not PERIOD
     "nexacloud", "2026-09", Decimal("1000.00"), "USD"),
    ("provider_costs", "negative_cost", "2026-10-03,openai,nexadesk,-3.25,USD",
     "nexadesk", "2026-10", Decimal("-3.25"), "USD"),
]


def annotate(path: Path, *, closed_at: dt.datetime | None = None) -> Path:
    con = warehouse.connect(path)
    try:
        con.executemany("INSERT INTO validated_accounts (service, account_id, customer_key,"
                        " name) VALUES (?, ?, ?, ?)", ACCOUNTS)
        con.executemany(
            "INSERT INTO finance_quarantine (kind, reason, file_path, file_row_number, record,"
            " service, billing_period, amount, currency)"
            " VALUES (?, ?, 'provider_costs/x.csv', 1, ?, ?, ?, ?, ?)", HELD)
        con.execute("INSERT INTO margin_monthly (billing_period, service, customer_key, metric,"
                    " revenue, cost, margin, margin_pct) VALUES (?, ?, 'C-002', 'apps', 250.00,"
                    " 0, 250.00, 100.00)", [PERIOD, NO_COST_SERVICE])
        if closed_at is not None:
            con.execute("INSERT INTO closed_periods VALUES (?, ?, 1)", [PERIOD, closed_at])
    finally:
        con.close()
    return path


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The report of a provisional and of a closed period, each rendered once."""
    root = tmp_path_factory.mktemp("margin-notes")
    found = {}
    for label, closed_at in (("provisional", None), ("closed", dt.datetime(2026, 11, 2, 14, 30))):
        wh = annotate(build_warehouse(root / f"{label}.duckdb"), closed_at=closed_at)
        out = margin_report.write_report(wh, PERIOD, root / f"{label}.html")
        found[label] = out.read_text(encoding="utf-8")
    return found


def table(page: str, table_id: str) -> list[list[str]]:
    body = page[page.index(f'id="{table_id}"'):]
    body = body[:body.index("</table>")]
    return [[html.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body)[1:]]


def text(page: str) -> str:
    """The page as a reader sees it: no charts, no tags."""
    page = re.sub(r"<(svg|style)\b.*?</\1>", " ", page, flags=re.DOTALL)
    page = re.sub(r"</?(strong|code)>", "", page)          # inline: no space
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


@pytest.mark.slow
def test_every_amount_names_its_currency(pages: dict[str, str]) -> None:
    page = pages["provisional"]
    cells = [cell for name in ("headline-table", "top-customers", "bottom-customers",
                               "dual-run-table") for row in table(page, name) for cell in row]
    amounts = [c for c in cells if re.search(AMOUNT, c)]
    assert len(amounts) > 40
    assert [c for c in amounts if not re.fullmatch(rf"{AMOUNT} (CAD|USD|EUR|mixed)", c)] == []
    assert table(page, "headline-table")[-1][:4] == [
        "all services", "5,200.49 CAD", "2,647.95 CAD", "2,552.54 CAD"]
    assert "margin (CAD)" in page                          # the charts' axes too


@pytest.mark.slow
def test_held_costs_warn_that_margins_are_overstated(pages: dict[str, str]) -> None:
    page = text(pages["provisional"])
    assert ("Costs held: 3 provider cost row(s) of 2026-10 have no FX rate for their day"
            " (finance_quarantine, reason missing_fx_rate): 19.75 USD on nexacloud;"
            " 4.00 EUR on nexadesk.") in page
    assert "the margins of nexacloud, nexadesk are overstated" in page
    assert "fusion-rating finance --period 2026-10 again" in page
    assert "1,000.00 USD" not in page                      # held, but in another period


@pytest.mark.fast
def test_held_costs_without_readable_amounts_are_counted_in_rows() -> None:
    from rating.reports.margin.notes import held_costs_html

    note = held_costs_html(
        [{"service": "nexacloud", "currency": "USD", "cost_rows": 4, "cost": None}], PERIOD)
    assert "Costs held: 4 provider cost row(s)" in note and "amounts unknown" in note


@pytest.mark.slow
def test_customers_have_one_name_each_and_revenue_is_not_multiplied(
        pages: dict[str, str]) -> None:
    top = table(pages["provisional"], "top-customers")
    first = next(row for row in top if row[0] == "C-001")
    # C-001 has two accounts: the first link by service and account id names it, once.
    assert first[1:] == ["First Link Inc.", "1,300.49 CAD", "410.25 CAD", "890.24 CAD"]
    assert [row[0] for row in top].count("C-001") == 1
    bottom = table(pages["provisional"], "bottom-customers")
    assert bottom[0][:2] == ["C-003", "Loser & Sons"]
    assert next(row for row in top if row[0] == "C-124")[1] == "(no name on file)"


@pytest.mark.slow
def test_period_is_said_to_be_provisional_or_closed(pages: dict[str, str]) -> None:
    provisional, closed = text(pages["provisional"]), text(pages["closed"])
    assert "Provisional: period 2026-10 is not closed" in provisional
    assert "fusion-rating close --period 2026-10" in provisional
    assert "Closed: period 2026-10 was closed on 2026-11-02 09:30 EST" in closed
    assert "Provisional" not in closed


@pytest.mark.slow
def test_every_time_is_in_the_billing_time_zone(pages: dict[str, str]) -> None:
    page = text(pages["closed"])
    assert "Every time on this page is in America/Toronto, the billing time zone." in page
    assert "latest computation 2026-11-05 03:00 EST" in page   # 08:00 UTC
    assert "UTC" not in page
    assert re.search(r"last modified \d{4}-\d\d-\d\d \d\d:\d\d E[SD]T", page)


@pytest.mark.slow
def test_a_service_at_100_percent_says_no_costs_are_mapped(pages: dict[str, str]) -> None:
    page = text(pages["provisional"])
    assert (f"{NO_COST_SERVICE} shows a 100 % margin: no costs are mapped to it in the"
            " catalog's cost allocations (catalog/costs.yaml, cost_allocation)") in page
    assert "nexacloud shows a 100 %" not in page


def report(wh: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["report", "margin", "--warehouse", str(wh), "--period", PERIOD,
                 "--out", str(tmp_path / "out.html")])
    return code, capsys.readouterr().err


@pytest.mark.fast
def test_nothing_rated_exits_non_zero_and_says_to_rate_then_run_finance(
        wh: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    build_warehouse(wh, with_rows=False)
    code, err = report(wh, tmp_path, capsys)
    assert code == 2
    assert f"nothing is rated for {PERIOD} in {wh}" in err
    assert f"`fusion-rating rate --period {PERIOD}" in err
    assert f"`fusion-rating finance --period {PERIOD}" in err
    assert not (tmp_path / "out.html").exists()


@pytest.mark.fast
def test_finance_never_run_exits_non_zero_and_says_to_run_finance(
        wh: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    con = warehouse.connect(build_warehouse(wh, with_rows=False))
    try:
        rated(con)
    finally:
        con.close()
    code, err = report(wh, tmp_path, capsys)
    assert code == 2
    assert "the finance stage has not run for it" in err
    assert f"Run `fusion-rating finance --period {PERIOD} --landing DIR --catalog DIR" in err
    assert "fusion-rating rate" not in err
    assert not (tmp_path / "out.html").exists()


@pytest.mark.fast
def test_a_missing_warehouse_is_not_created(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "typo.duckdb"
    code, err = report(missing, tmp_path, capsys)
    assert code == 2 and f"there is no warehouse at {missing}" in err
    assert not missing.exists()


@pytest.mark.slow
def test_a_period_with_data_exits_zero_and_prints_the_notes(tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    wh = annotate(build_warehouse(tmp_path / "w.duckdb"))
    assert main(["report", "margin", "--warehouse", str(wh), "--period", PERIOD,
                 "--out", str(tmp_path / "out.html")]) == 0
    out = capsys.readouterr().out
    assert "report: " in out and "revenue CAD" in out
    # the page's notes, in the terminal too
    assert "  Provisional: period 2026-10 is not closed" in out
    assert "  WARNING: Costs held: 3 provider cost row(s) of 2026-10" in out
    assert f"  {NO_COST_SERVICE} shows a 100 % margin: no costs are mapped to it" in out


@pytest.mark.fast
def test_a_warehouse_held_by_a_writer_says_to_wait(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    wh = annotate(build_warehouse(tmp_path / "w.duckdb"))
    writer = warehouse.connect(wh)     # a run writing it (DuckDB refuses a reader meanwhile)
    try:
        code, err = report(wh, tmp_path, capsys)
    finally:
        writer.close()
    assert code == 2
    assert f"cannot read {wh} now" in err and "wait for it to end" in err
    assert "w-analysts.duckdb" in err and "Traceback" not in err
