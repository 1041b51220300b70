"""The margin report on a small hand-made warehouse: headline figures, tables and the HTML page."""

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest

from rating import warehouse
from rating.reports import margin as margin_report
from rating.reports.margin import TOTAL_LABEL, headline, headline_markdown, headline_text

D = Decimal
PERIOD = "2026-10"
ODD_KEY = "<b>C&1</b>"        # must come out escaped
LOSER = "C-003"               # the one customer with a negative margin in PERIOD

# margin_monthly: (billing_period, service, customer_key, metric, revenue, cost)
MARGIN_ROWS: list[tuple[str, str, str | None, str | None, Decimal, Decimal]] = [
    ("2026-08", "nexacloud", "C-001", "cpu", D("900.00"), D("300.00")),
    ("2026-08", "nexadesk", "C-002", "seats", D("400.00"), D("350.00")),
    ("2026-09", "nexacloud", "C-001", "cpu", D("1000.00"), D("320.10")),
    ("2026-09", "nexacloud", LOSER, "cpu", D("40.00"), D("60.00")),
    ("2026-09", "nexadesk", "C-002", "seats", D("450.00"), D("360.00")),
    (PERIOD, "nexacloud", "C-001", "cpu", D("1200.50"), D("400.25")),
    (PERIOD, "nexacloud", "C-001", "storage", D("99.99"), D("10.00")),
    (PERIOD, "nexacloud", LOSER, "cpu", D("50.00"), D("175.404999999")),  # 9 decimals
    (PERIOD, "nexacloud", None, None, D("0.00"), D("12.34")),          # unallocated cost
    # nexadesk: revenue 800.00, margin 0.04: 0.005 % -> 0.01 (half up, not half even)
    (PERIOD, "nexadesk", "C-002", "seats", D("500.00"), D("499.98")),
    (PERIOD, "nexadesk", ODD_KEY, "seats", D("300.00"), D("299.98")),
    # after the period: in no figure of PERIOD's report
    ("2030-01", "nexacloud", "C-001", "cpu", D("7777.77"), D("1.00")),
] + [
    # enough customers for distinct top and bottom lists: margins 50.00 to 74.00
    (PERIOD, "nexacloud", f"C-1{i:02d}", "cpu", D(100 + i), D("50.00")) for i in range(25)
]

# cutover_readiness: (service, periods, customers, matched, share_matched, computed_at)
READINESS_ROWS = [
    ("nexacloud", "2026-08,2026-09", 4, 2, D("50.00"), dt.datetime(2026, 10, 5, 8)),
    ("nexacloud", "2026-09,2026-10", 4, 3, D("75.00"), dt.datetime(2026, 11, 5, 8)),  # latest
    ("nexadesk", "2026-09,2026-10", 0, 0, None, dt.datetime(2026, 11, 5, 8)),
]

# reconciliation_legacy: (billing_period, service, customer_key, charge, ours, legacy, class)
DUAL_RUN_ROWS = [
    (PERIOD, "nexacloud", "C-001", "cpu", D("100.00"), D("100.00"), "match"),
    (PERIOD, "nexacloud", "C-001", "storage", D("12.25"), D("12.25"), "match"),
    (PERIOD, "nexadesk", "C-002", "seats", D("50.00"), D("55.50"), "amount_differs"),
    (PERIOD, "nexadesk", ODD_KEY, "", None, D("20.00"), "only_in_legacy"),
    ("2026-09", "nexadesk", "C-002", "seats", D("1.00"), D("999.00"), "amount_differs"),
]


def rated(con: object, period: str = PERIOD) -> None:
    """One rated charge in `period`: all the report asks of rated_charges (it refuses a period
    with none)."""
    warehouse.run_text(con, """
        INSERT INTO rated_charges (billing_period, customer_key, service, subscription_id,
            account_id, plan_code, charge_id, metric, line_kind, product_code, currency,
            quantity, included_units, billable_units, amount, active_us, period_us,
            counter_rows, source_file_count, source_file_ids, description)
        VALUES ($period, 'C-001', 'nexacloud', 's-1', 'c-9', 'p', 'ch', 'cpu', 'usage', 'P',
                'CAD', 1, 0, 1, 1.00, 1, 1, 1, 1, [1], 'cpu')""", {"period": period})


def build_warehouse(path: Path, *, with_rows: bool = True) -> Path:
    """The schema; with rows, margins, one rated charge, readiness and the dual run."""
    con = warehouse.connect(path)
    try:
        warehouse.create_schema(con)
        if with_rows:
            rated(con)
            con.executemany(
                "INSERT INTO margin_monthly (billing_period, service, customer_key, metric,"
                " revenue, cost, margin, margin_pct) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(p, s, c, m, r, k, r - k, margin_report.margin_pct(r - k, r))
                 for p, s, c, m, r, k in MARGIN_ROWS])
            con.executemany("INSERT INTO cutover_readiness VALUES (?, ?, ?, ?, ?, ?)",
                            READINESS_ROWS)
            con.executemany(
                "INSERT INTO reconciliation_legacy (billing_period, service, customer_key,"
                " charge, sources, our_amount, legacy_amount, difference, our_currency,"
                " legacy_currency, class, tolerance, legacy_invoice_ids) VALUES"
                " (?, ?, ?, ?, 'legacy', ?, ?, ?, 'CAD', 'CAD', ?, 0.01, NULL)",
                [(p, s, c, ch, ours, legacy, (legacy or 0) - (ours or 0), cls)
                 for p, s, c, ch, ours, legacy, cls in DUAL_RUN_ROWS])
    finally:
        con.close()
    return path


@pytest.fixture
def margin_wh(wh: Path) -> Path:
    return build_warehouse(wh)


@pytest.fixture
def empty_wh(wh: Path) -> Path:
    return build_warehouse(wh, with_rows=False)


def expected_by_service() -> dict[str, tuple[Decimal, Decimal, Decimal]]:
    """(revenue, cost, margin) per service in PERIOD, summed here from the inserted rows."""
    sums: dict[str, tuple[Decimal, Decimal, Decimal]] = {}
    for p, service, _, _, revenue, cost in MARGIN_ROWS:
        if p == PERIOD:
            r, c, m = sums.get(service, (D(0), D(0), D(0)))
            sums[service] = (r + revenue, c + cost, m + revenue - cost)
    return sums


@pytest.mark.fast
def test_headline_sums_per_service_and_total(margin_wh: Path) -> None:
    rows = headline(margin_wh, PERIOD)
    expected = expected_by_service()
    assert [r[0] for r in rows] == [*sorted(expected), TOTAL_LABEL]
    for service, revenue, cost, margin, _, _, currency in rows[:-1]:
        assert currency == "CAD"
        assert (revenue, cost, margin) == expected[service]
        assert all(isinstance(v, Decimal) for v in (revenue, cost, margin))
    total = rows[-1]
    assert total[1] == sum(e[0] for e in expected.values())
    assert total[2] == sum(e[1] for e in expected.values())
    assert total[3] == sum(e[2] for e in expected.values())
    assert total[1:4] == (D("4950.49"), D("2647.954999999"), D("2302.535000001"))
    assert total[4] == D("46.51")      # 2302.535000001 / 4950.49 = 46.5112...%, from totals
    assert total[5] is None


@pytest.mark.fast
def test_headline_margin_pct_rounds_half_up_and_takes_latest_readiness(margin_wh: Path) -> None:
    rows = {r[0]: r for r in headline(margin_wh, PERIOD)}
    cloud, desk = rows["nexacloud"], rows["nexadesk"]
    assert cloud[1:4] == (D("4150.49"), D("1847.994999999"), D("2302.495000001"))
    assert cloud[4] == D("55.48")      # 2302.495000001 / 4150.49 = 55.4752...%
    assert desk[3] == D("0.04")
    assert desk[4] == D("0.01")        # exactly 0.005 %: half up
    assert cloud[5] == D("75.00")      # the latest computation, not the 50.00 before it
    assert desk[5] is None             # no customers compared


@pytest.mark.fast
def test_margin_pct_and_formatting() -> None:
    assert margin_report.margin_pct(D("1"), D("3")) == D("33.33")
    assert margin_report.margin_pct(D("2"), D("3")) == D("66.67")
    assert margin_report.margin_pct(D("-0.04"), D("800.00")) == D("-0.01")
    assert margin_report.margin_pct(D("5"), D("0.00")) is None
    assert margin_report.format_amount(D("-1234567.5")) == "-1,234,567.50"
    assert margin_report.format_amount(D("0.005000000")) == "0.01"
    assert margin_report.format_percent(D("0.05")) == "0.1"
    assert margin_report.format_percent(None) == "n/a"


@pytest.mark.fast
def test_headline_markdown_and_text(margin_wh: Path) -> None:
    rows = headline(margin_wh, PERIOD)
    md = headline_markdown(rows)
    lines = md.splitlines()
    assert lines[0].startswith("| service | revenue CAD | cost CAD | margin CAD |")
    assert len(lines) == 2 + len(rows)
    assert "| nexacloud | 4,150.49 | 1,847.99 | 2,302.50 | 55.48 | 75.00 |" in lines
    assert "| nexadesk | 800.00 | 799.96 | 0.04 | 0.01 | n/a |" in lines
    assert lines[-1] == "| all services | 4,950.49 | 2,647.95 | 2,302.54 | 46.51 | n/a |"

    text = headline_text(rows)
    lines = text.splitlines()
    assert len({len(line) for line in lines}) == 1          # every line as wide: aligned
    assert re.search(r"^nexacloud\s+4,150\.49\s+1,847\.99\s+2,302\.50\s+55\.5\s+75\.0$",
                     text, re.MULTILINE)
    assert re.search(r"^nexadesk\s+800\.00\s+799\.96\s+0\.04\s+0\.0\s+n/a$", text, re.MULTILINE)
    assert re.search(r"^all services\s+4,950\.49\s+2,647\.95\s+2,302\.54\s+46\.5\s+n/a$",
                     text, re.MULTILINE)
    assert set(lines[1]) == {"-", " "} and set(lines[-2]) == {"-", " "}
    # the columns line up: each figure ends where its header ends
    assert re.match(r"^service\s+revenue CAD\s+cost CAD\s+margin CAD\s+margin %", lines[0])
    header_end = lines[0].index("revenue CAD") + len("revenue CAD")
    assert all(line[header_end - 1] in "0123456789" for line in lines[2:-2] + lines[-1:])


@pytest.mark.fast
def test_headline_names_each_currency_when_not_all_cad() -> None:
    rows = [margin_report.HeadlineRow("nexaus", D("10.00"), D("4.00"), D("6.00"), D("60.00"),
                                      None, "USD"),
            margin_report.HeadlineRow(TOTAL_LABEL, D("10.00"), D("4.00"), D("6.00"),
                                      D("60.00"), None, "USD")]
    text = headline_text(rows)
    assert re.search(r"^nexaus\s+10\.00 USD\s+4\.00 CAD\s+6\.00 mixed\s+60\.0", text,
                     re.MULTILINE)
    assert "revenue CAD" not in text
    assert "| nexaus | 10.00 USD | 4.00 CAD | 6.00 mixed | 60.00 | n/a |" in headline_markdown(rows)


@pytest.mark.slow
def test_write_report_is_self_contained_and_complete(margin_wh: Path, tmp_path: Path) -> None:
    out = margin_report.write_report(margin_wh, PERIOD, tmp_path / "out" / "margin.html")
    assert out == tmp_path / "out" / "margin.html"
    page = out.read_text(encoding="utf-8")

    assert page.count("<svg") == 3
    for figure in ("4,150.49", "1,847.99", "2,302.50", "55.5", "4,950.49", "2,647.95",
                   "2,302.54", "46.5", "800.00", "799.96"):
        assert figure in page
    assert "Margin by service over time" in page
    assert "2026-08" in page and "2030-01" not in page and "7,777.77" not in page

    bottom = page[page.index('id="bottom-customers"'):]
    bottom = bottom[:bottom.index("</table>")]
    top = page[page.index('id="top-customers"'):]
    top = top[:top.index("</table>")]
    assert LOSER in bottom and "-125.40" in bottom and LOSER not in top
    assert bottom.index(LOSER) < bottom.index("C-002")     # lowest margin first
    assert "890.24" in top                                  # C-001: 800.25 + 89.99

    readiness = page[page.index('id="readiness"'):page.index('id="dual-run"')]
    assert "2026-09, 2026-10" in readiness and "75.0" in readiness and "<svg" in readiness

    dual = page[page.index('id="dual-run-table"'):]
    dual = dual[:dual.index("</table>")]
    for text in ("match", "amount_differs", "only_in_legacy", "112.25", "55.50", "5.50",
                 "20.00", "162.25", "187.75", "25.50"):
        assert text in dual
    assert "999.00" not in dual                              # another period

    assert ODD_KEY not in page
    assert "&lt;b&gt;C&amp;1&lt;/b&gt;" in page
    lowered = page.lower()
    for external in ("<script", "http://", "https://", "<link", "@import", "<img", "<iframe"):
        assert external not in lowered
    assert re.findall(r"url\((?!#)", lowered) == []         # only references inside the page
    assert str(margin_wh.resolve()) in page                 # the footer names the warehouse
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids))                        # three SVGs, no id shared
    assert set(re.findall(r'(?:url\(#|href="#)([^)"]+)', page)) <= set(ids)


@pytest.mark.fast
def test_empty_warehouse_gives_no_data_and_no_page(empty_wh: Path, tmp_path: Path) -> None:
    assert headline(empty_wh, PERIOD) == []
    assert headline_text([]) == margin_report.NO_DATA
    assert headline_markdown([]) == margin_report.NO_DATA
    with pytest.raises(margin_report.NoMarginData, match="nothing is rated for 2026-10"):
        margin_report.write_report(empty_wh, PERIOD, tmp_path)
    assert list(tmp_path.glob("*.html")) == []


@pytest.mark.fast
def test_period_code_is_validated(margin_wh: Path) -> None:
    with pytest.raises(ValueError, match="YYYY-MM"):
        headline(margin_wh, "2026-13")
