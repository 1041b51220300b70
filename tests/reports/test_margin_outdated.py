"""`report margin` on a warehouse that no writer of this version has opened yet: it says which
run upgrades it, and a report that fails after its page was drawn leaves no page behind."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from rating.reports import margin as margin_report
from tests.reports.test_margin_notes import annotate, report
from tests.reports.test_margin_report import build_warehouse


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
