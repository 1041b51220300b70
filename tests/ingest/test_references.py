"""Subscriptions and account links: a broken or missing file never replaces a rated month.

Each case rates 2026-10 from good files, then breaks one reference file the way it happens in
practice and rates again through the command line: the run says which file it held and why,
the previous version stays in force, and the month is unchanged.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from rating.cli import main
from tests.support.usage_builder import (
    CATALOG,
    DEFAULT_SUBSCRIPTIONS,
    RATED_TABLES,
    SUBSCRIPTION_HEADER,
    Landing,
    quarantine,
    rows,
    snapshot,
    table,
    usage_row,
    write_csv,
)

pytestmark = pytest.mark.engine

SUBSCRIPTIONS = "subscriptions/subscriptions.csv"
ACCOUNTS = "accounts/accounts.csv"


def cli_rate(landing: Landing, wh: Path, *extra: str) -> int:
    return main(["rate", "--landing", str(landing.root), "--catalog", str(CATALOG),
                 "--warehouse", str(wh), "--period", "2026-10", *extra])


@pytest.fixture
def rated(landing: Landing, wh: Path) -> dict[str, list[tuple[object, ...]]]:
    """Usage for every default account, rated once; the rated tables as they stand."""
    landing.usage("a.parquet", [usage_row(value=500),
                                usage_row("nexadesk", "conversations", 2750),
                                usage_row("nexamaps", "map_tiles", 90_000)], value="int64")
    assert cli_rate(landing, wh) == 0
    return snapshot(wh, RATED_TABLES)


def break_file(landing: Landing, relative: str, content: bytes) -> None:
    (landing.root / relative).write_bytes(content)


def held(wh: Path) -> list[tuple[object, ...]]:
    return table(wh, "held_inputs", "kind, file_path, reason")


@pytest.mark.parametrize(("relative", "content", "reason"), [
    pytest.param(SUBSCRIPTIONS, b"", "empty_file", id="empty-subscriptions"),
    pytest.param(ACCOUNTS, b"", "empty_file", id="empty-accounts"),
    pytest.param(ACCOUNTS,
                 b"service,account_id,customer_key,name,email,country,province\n",
                 "empty_file", id="header-only-accounts"),
    pytest.param(SUBSCRIPTIONS,
                 b"subscription_id,service,account_id,plan_code,end\n"
                 b"SUB-NC-1,nexacloud,nc-1,cloud-standard,\n",
                 "missing_column", id="no-start-column"),
    pytest.param(ACCOUNTS,
                 b"service,account_id,name\nnexacloud,nc-1,Customer C1\n",
                 "missing_column", id="no-customer_key-column"),
    # DuckDB reads any bytes as a one-column CSV: garbage lacks every required column.
    pytest.param(SUBSCRIPTIONS, b"\xff\xfe\x00garbage\x00\xff" * 40, "missing_column",
                 id="binary-garbage"),
])
def test_a_broken_reference_file_is_held_and_its_previous_version_stays(
        landing: Landing, wh: Path, rated: dict[str, list[tuple[object, ...]]],
        capsys: pytest.CaptureFixture[str], relative: str, content: bytes,
        reason: str) -> None:
    break_file(landing, relative, content)
    assert cli_rate(landing, wh) == 0
    out = capsys.readouterr().out
    assert f"HELD {relative.split('/')[0]} file {relative}: {reason}" in out
    assert "in force: its version of" in out
    assert held(wh) == [(relative.split("/")[0], relative, reason)]
    assert snapshot(wh, RATED_TABLES) == rated


def test_a_short_trailing_line_holds_that_line_only(landing: Landing, wh: Path,
                                                    rated: dict[str, list[tuple[object, ...]]]
                                                    ) -> None:
    path = landing.root / SUBSCRIPTIONS
    path.write_text(path.read_text(encoding="utf-8") + "SUB-X,nexacloud\n", encoding="utf-8")
    assert cli_rate(landing, wh) == 0
    assert held(wh) == []
    assert table(wh, "reference_quarantine", "kind, reason, file_path, record") == [
        ("subscriptions", "null_required", SUBSCRIPTIONS, "SUB-X,nexacloud")]
    assert snapshot(wh, RATED_TABLES) == rated


def test_a_line_that_is_not_utf8_holds_that_line_only(landing: Landing, wh: Path,
                                                      rated: dict[str, list[tuple[object, ...]]]
                                                      ) -> None:
    extra = (b"SUB-NEW,nexacloud,nc-9,cloud-standard,2026-10-01,\n"
             b"SUB-BAD,nexacl\xe9oud,nc-8,cloud-standard,2026-10-01,\n")
    path = landing.root / SUBSCRIPTIONS
    path.write_bytes(path.read_bytes() + extra)
    assert cli_rate(landing, wh) == 0
    assert held(wh) == []
    found = table(wh, "reference_quarantine", "kind, reason, file_path",
                  "reason = 'unreadable_line'")
    assert found == [("subscriptions", "unreadable_line", SUBSCRIPTIONS)]
    [(detail,)] = rows(wh, "SELECT detail FROM reference_quarantine"
                           " WHERE reason = 'unreadable_line'")
    assert detail.startswith("line 8: ")   # the header, five default rows and SUB-NEW first
    # The readable new row came into force with the rest (its account has no link yet).
    assert ("SUB-NEW", "unknown_account") in rows(
        wh, "SELECT split_part(record, ',', 1), reason FROM reference_quarantine")
    assert snapshot(wh, RATED_TABLES) == rated


def test_a_vanished_file_stays_in_force_until_changes_are_accepted(
        landing: Landing, wh: Path, rated: dict[str, list[tuple[object, ...]]],
        capsys: pytest.CaptureFixture[str]) -> None:
    (landing.root / SUBSCRIPTIONS).unlink()
    write_csv(landing.root / "subscriptions" / "nexacloud-only.csv", SUBSCRIPTION_HEADER,
              [s for s in DEFAULT_SUBSCRIPTIONS if s[1] == "nexacloud"])
    assert cli_rate(landing, wh) == 0
    assert held(wh) == [("subscriptions", SUBSCRIPTIONS, "missing_file")]
    assert snapshot(wh, RATED_TABLES) == rated
    capsys.readouterr()
    # Accepting the change retires the vanished file: its customers' invoices go.
    assert cli_rate(landing, wh, "--accept-changes") == 0
    out = capsys.readouterr().out
    assert "changes accepted (--accept-changes) although the guard objected" in out
    assert held(wh) == []
    assert table(wh, "invoice_lines", "DISTINCT service") == [("nexacloud",)]
    assert rows(wh, "SELECT outcome FROM rating_runs ORDER BY finished_at") == [
        ("rated",), ("rated",), ("rated_with_accepted_changes",)]


def test_an_emptied_plans_file_stops_the_run_before_anything_is_written(
        landing: Landing, wh: Path, rated: dict[str, list[tuple[object, ...]]],
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import shutil

    catalog = Path(shutil.copytree(CATALOG, tmp_path / "catalog"))
    (catalog / "plans.yaml").write_text("", encoding="utf-8")
    code = main(["rate", "--landing", str(landing.root), "--catalog", str(catalog),
                 "--warehouse", str(wh), "--period", "2026-10"])
    assert code == 2
    assert "plans.yaml: (file): the file is empty" in capsys.readouterr().err
    assert snapshot(wh, RATED_TABLES) == rated


@pytest.mark.parametrize("where", ["mistyped", "empty"])
def test_a_landing_root_without_usage_stops_the_run(
        landing: Landing, wh: Path, rated: dict[str, list[tuple[object, ...]]],
        tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str) -> None:
    root = tmp_path / where
    if where == "empty":
        (root / "usage").mkdir(parents=True)
    code = main(["rate", "--landing", str(root), "--catalog", str(CATALOG),
                 "--warehouse", str(wh), "--period", "2026-10"])
    assert code == 2
    assert "check --landing or FUSION_LANDING" in capsys.readouterr().err
    assert snapshot(wh, RATED_TABLES) == rated


def test_a_new_good_version_of_a_file_comes_into_force(landing: Landing, wh: Path,
                                                       rated: dict[str, list[tuple[object, ...]]]
                                                       ) -> None:
    landing.accounts([("nexacloud", "nc-1", "C1", "Renamed Ltd", "ap@renamed.ca", "CA",
                       "QC"), *[(s, a, c) for s, a, c in
                                (("nexadesk", "nd-1", "C1"), ("nexamaps", "nm-1", "C2"),
                                 ("apps", "ap-1", "C3"), ("memberships", "mb-1", "C4"))]])
    assert cli_rate(landing, wh) == 0
    assert rows(wh, "SELECT name, province FROM validated_accounts WHERE account_id = 'nc-1'"
                ) == [("Renamed Ltd", "QC")]
    assert table(wh, "reference_files", "kind, file_path, rows_in_file") == [
        ("accounts", ACCOUNTS, 5), ("subscriptions", SUBSCRIPTIONS, 5)]
    assert quarantine(wh) == []
    assert snapshot(wh, ["invoice_lines"]) == {"invoice_lines": rated["invoice_lines"]}
    assert sum(r[10] for r in rated["invoice_lines"]) > Decimal(0)


@pytest.mark.parametrize("kind", ["accounts", "subscriptions"])
def test_a_landing_zone_without_reference_files_stops_the_run(
        tmp_path: Path, wh: Path, capsys: pytest.CaptureFixture[str], kind: str) -> None:
    landing = Landing(tmp_path / "landing", **{kind: False})
    landing.usage("a.parquet", [usage_row(value=500)])
    assert cli_rate(landing, wh) == 2
    assert f"no {kind} file is in force" in capsys.readouterr().err
    assert rows(wh, "SELECT count(*) FROM rating_runs") == [(0,)]
