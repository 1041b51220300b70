"""`report margin` on a warehouse that no writer of this version has opened yet: it says which
run upgrades it, and a report that fails after its page was drawn leaves no page behind; once
upgraded, costs an earlier version held are in its warning."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from rating import warehouse
from rating.reports import margin as margin_report
from tests.reports.test_margin_notes import annotate, report
from tests.reports.test_margin_report import PERIOD, build_warehouse


def _as_an_earlier_version_left_it(database: Path) -> None:
    # An earlier fusion-rating had no customers view (the report names customers from it).
    with duckdb.connect(str(database)) as con:
        con.execute("DROP VIEW customers")


@pytest.mark.fast
def test_a_warehouse_of_an_earlier_version_says_to_rate_or_run_finance_once_on_it(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    wh = annotate(build_warehouse(tmp_path / "w.duckdb"))
    _as_an_earlier_version_left_it(wh)
    code, err = report(wh, tmp_path, capsys)
    assert code == 2
    assert err.count("\n") == 1 and err.startswith(f"fusion-rating: no margin report: {wh} ")
    assert "customers does not exist" in err
    assert f"`fusion-rating rate` or `fusion-rating finance` once with this version on {wh}" \
        in err
    assert "is writing it" not in err and "Traceback" not in err
    assert list(tmp_path.glob("out.html*")) == []


@pytest.mark.fast
def test_its_analysts_copy_names_the_warehouse_to_upgrade(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    copy = annotate(build_warehouse(tmp_path / "w-analysts.duckdb"))
    _as_an_earlier_version_left_it(copy)
    code, err = report(copy, tmp_path, capsys)
    assert code == 2
    assert f"once with this version on {tmp_path / 'w.duckdb'} to upgrade it" in err


@pytest.mark.slow
def test_a_report_that_fails_after_drawing_its_page_leaves_none(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    wh = annotate(build_warehouse(tmp_path / "w.duckdb"))
    (tmp_path / "out.html").write_text("the last good report", encoding="utf-8")

    def outdated(*_: object) -> list[str]:
        raise duckdb.BinderException('Binder Error: Referenced column "service" not found')

    monkeypatch.setattr(margin_report, "report_notes", outdated)
    code, err = report(wh, tmp_path, capsys)
    assert code == 2 and "to upgrade it" in err
    assert (tmp_path / "out.html").read_text(encoding="utf-8") == "the last good report"
    assert sorted(path.name for path in tmp_path.glob("out.html*")) == ["out.html"]


# finance_quarantine rows as a version without the typed columns wrote them: (kind, reason,
# record). The record is the landed row's fields joined by commas, blank ones left out.
EARLIER_HELD = [
    ("provider_costs", "missing_fx_rate", "2026-10-31,aws,nexacloud,7.25,USD"),     # pooled
    ("provider_costs", "missing_fx_rate", "2026-10-03,openai,nexadesk,4.00,EUR"),
    ("provider_costs", "missing_fx_rate",                    # a comma in the provider's name
     "2026-10-15,Acme, Inc.,nexacloud,c-2,vcpu_hours,12.5000,USD"),
    ("provider_costs", "missing_fx_rate", "2026-09-30,aws,nexacloud,1000.00,USD"),  # not PERIOD
    ("provider_costs", "missing_fx_rate", "unreadable"),
    ("provider_costs", "bad_date", "someday,aws,nexacloud,3.00,USD"),
]


def _upgraded_from_a_warehouse_with_untyped_held_costs(database: Path) -> Path:
    with duckdb.connect(str(database)) as con:
        for column in ("service", "billing_period", "amount", "currency"):
            con.execute(f"ALTER TABLE finance_quarantine DROP COLUMN {column}")
        con.execute("DELETE FROM schema_applied")   # an earlier version ran other schema files
        con.executemany("INSERT INTO finance_quarantine VALUES (?, ?, 'provider_costs/old.csv',"
                        " 0, ?, NULL)", EARLIER_HELD)
    con = warehouse.connect(database)   # what the first rate or finance of this version does
    try:
        warehouse.create_schema(con)
    finally:
        con.close()
    return database


@pytest.mark.fast
def test_costs_an_earlier_version_held_are_typed_from_their_record_when_it_is_unambiguous(
        tmp_path: Path) -> None:
    wh = _upgraded_from_a_warehouse_with_untyped_held_costs(build_warehouse(tmp_path / "w.db"))
    with duckdb.connect(str(wh), read_only=True) as con:
        typed = con.execute("SELECT record, service, billing_period, amount, currency"
                            " FROM finance_quarantine ORDER BY record").fetchall()
    assert [(record, service, period, amount and str(amount), currency)
            for record, service, period, amount, currency in typed] == [
        ("2026-09-30,aws,nexacloud,1000.00,USD", "nexacloud", "2026-09", "1000.000000000",
         "USD"),
        ("2026-10-03,openai,nexadesk,4.00,EUR", "nexadesk", PERIOD, "4.000000000", "EUR"),
        ("2026-10-15,Acme, Inc.,nexacloud,c-2,vcpu_hours,12.5000,USD", None, PERIOD,
         "12.500000000", "USD"),
        ("2026-10-31,aws,nexacloud,7.25,USD", "nexacloud", PERIOD, "7.250000000", "USD"),
        ("someday,aws,nexacloud,3.00,USD", None, None, None, None),
        ("unreadable", None, None, None, None),
    ]


@pytest.mark.fast
def test_the_warning_on_held_costs_counts_those_an_earlier_version_held(
        tmp_path: Path) -> None:
    wh = _upgraded_from_a_warehouse_with_untyped_held_costs(build_warehouse(tmp_path / "w.db"))
    notes = " ".join(margin_report.report_notes(wh, PERIOD))
    assert ("Costs held: 3 provider cost row(s) of 2026-10 have no FX rate for their day"
            " (finance_quarantine, reason missing_fx_rate): 7.25 USD on nexacloud;"
            " 4.00 EUR on nexadesk; 12.50 USD on an unnamed service.") in notes
    assert "so the margins of nexacloud, nexadesk are overstated" in notes
    assert ("The service of 1 of them, held by an earlier version, is not certain from their"
            " record (an unnamed service); the finance run names it.") in notes
