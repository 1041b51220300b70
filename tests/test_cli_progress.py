"""What the commands show of their progress, on stderr: a line per step off a terminal, nothing
with -q, each file or batch with -v; stdout keeps the results (and their totals) as before."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from rating.cli import main
from tests.support.odoo_server import OdooTestServer
from tests.support.posting import environment_for
from tests.support.usage_builder import CATALOG, Landing, usage_row

ROOT = Path(__file__).resolve().parent.parent
RATE_STEPS = ("listing usage files", "reading new files", "writing the ledger",
              "mirroring the ledger into the warehouse", "reference files in force",
              "classifying 2026-10's usage", "rolling up usage", "pricing", "invoice lines",
              "guard", "recording the run")
STEP_LINE = re.compile(r"\d\d:\d\d:\d\d (?P<step>.+?)(?:: .*)? \(\d+\.\d\d s\)")


def _rate(landing: Landing, wh: Path, *extra: str) -> int:
    return main(["rate", "--landing", str(landing.root), "--catalog", str(CATALOG),
                 "--warehouse", str(wh), "--period", "2026-10", *extra])


def _steps(err: str) -> list[str]:
    return [found["step"] for line in err.splitlines() if (found := STEP_LINE.fullmatch(line))]


@pytest.mark.engine
def test_rate_names_each_step_on_stderr_and_keeps_stdout_for_the_results(
        landing: Landing, wh: Path, capsys: pytest.CaptureFixture[str]) -> None:
    landing.usage("a.parquet", [usage_row(value=5)])
    assert _rate(landing, wh) == 0
    out, err = capsys.readouterr()
    assert _steps(err) == list(RATE_STEPS)
    assert "reading new files: 1 file, 1 row (" in err
    assert re.search(r"pricing: \d+ rated lines? \(", err)
    assert not any(STEP_LINE.fullmatch(line) for line in out.splitlines())
    assert re.search(r"total [\d,]+\.\d\d CAD \(rounded per line\)", out)


@pytest.mark.engine
def test_rate_quiet_shows_no_progress(landing: Landing, wh: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    landing.usage("a.parquet", [usage_row(value=5)])
    assert _rate(landing, wh, "-q") == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert "rated lines" in out


@pytest.mark.engine
def test_rate_verbose_names_each_new_file(landing: Landing, wh: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    landing.usage("a.parquet", [usage_row(value=5)])
    landing.usage("b.parquet", [usage_row(value=7)])
    assert _rate(landing, wh, "--verbose") == 0
    err = capsys.readouterr().err
    assert "  reading new files: usage/a.parquet: 1 row\n" in err
    assert "  reading new files: usage/b.parquet: 1 row\n" in err
    assert _steps(err) == list(RATE_STEPS)


@pytest.mark.engine
def test_a_second_rating_shows_the_total_it_replaced_with_its_currency(
        landing: Landing, wh: Path, capsys: pytest.CaptureFixture[str]) -> None:
    landing.usage("a.parquet", [usage_row(value=5)])
    assert _rate(landing, wh, "-q") == 0
    assert _rate(landing, wh, "-q") == 0
    out = capsys.readouterr().out
    assert re.search(r"total ([\d,]+\.\d\d) CAD \(was \1 CAD\)", out), out


@pytest.mark.engine
def test_post_dry_run_counts_its_batches(posting_wh: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("ODOO_URL", raising=False)
    assert main(["post", "--warehouse", str(posting_wh), "--period", "2026-10",
                 "--batch-size", "3", "-v"]) == 0
    err = capsys.readouterr().err
    assert _steps(err) == ["2026-10's invoices", "writing odoo_outbox (dry run)"]
    assert "2026-10's invoices: 8 invoices to post" in err
    assert [line.split(": ", 1)[1] for line in err.splitlines() if "written" in line] == [
        "3 of 8 invoices written", "6 of 8 invoices written", "8 of 8 invoices written"]


@pytest.mark.engine
def test_post_to_odoo_names_its_steps_and_counts_each_batch(
        posting_wh: Path, odoo_server: OdooTestServer, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    for name, value in environment_for(odoo_server, "jsonrpc").items():
        if name.startswith("ODOO_"):
            monkeypatch.setenv(name, value)
    assert main(["post", "--warehouse", str(posting_wh), "--period", "2026-10",
                 "--batch-size", "3", "-v"]) == 0
    out, err = capsys.readouterr()
    assert _steps(err) == ["2026-10's invoices", "Odoo's setup and partners", "posting",
                           "reading the invoices back from Odoo"]
    assert "posting: 8 invoices: posted 8 (" in err
    assert [line.split("posting: ", 1)[1] for line in err.splitlines() if " done: " in line] \
        == ["3 of 8 invoices done: posted 3", "6 of 8 invoices done: posted 6",
            "8 of 8 invoices done: posted 8"]
    assert out.startswith("2026-10: 8 invoices (posted 8)")


@pytest.mark.engine
def test_finance_names_the_files_it_reads_and_its_amounts_currency(
        landing: Landing, wh: Path, capsys: pytest.CaptureFixture[str]) -> None:
    landing.usage("a.parquet", [usage_row(value=5)])
    assert _rate(landing, wh, "-q") == 0
    assert main(["finance", "--landing", str(landing.root), "--catalog", str(CATALOG),
                 "--warehouse", str(wh), "--period", "2026-10"]) == 0
    out, err = capsys.readouterr()
    assert _steps(err) == ["reading legacy_billing", "reading provider_costs",
                           "reading fx_rates", "dual run and margins of 2026-10"]
    # The dual run's lines are all in CAD: its amounts say so.
    assert re.search(r"only_in_ours +\d+ lines +ours +[\d,]+\.\d\d CAD  legacy +0\.00 CAD",
                     out), out


@pytest.mark.slow
def test_sample_off_a_terminal_writes_plain_lines_and_verbose_each_file(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "rating.cli", "sample", "--out", str(tmp_path), "--rows", "1200",
         "-v"], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True)
    assert _steps(done.stderr) == ["accounts and subscriptions", "usage files"]
    assert re.search(r"usage files: 1[0-9] files, 1,2\d\d rows \(", done.stderr)
    assert "  usage files: usage/nexacloud/2026-10/part-0000.parquet: " in done.stderr
    assert done.stdout.startswith("wrote 1,2")
    quiet = subprocess.run(
        [sys.executable, "-m", "rating.cli", "sample", "--out", str(tmp_path), "--rows", "1200",
         "-q"], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True)
    assert quiet.stderr == "" and quiet.stdout == done.stdout
