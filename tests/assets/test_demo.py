"""`make demo`'s output: a line per step and the summary on the terminal, Dagster's log in a
file it names."""

import re
from pathlib import Path

import pytest

from pipelines import demo


@pytest.mark.slow
def test_the_demo_prints_steps_and_summary_and_keeps_dagsters_log_in_a_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text("", encoding="utf-8")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    monkeypatch.delenv("ODOO_URL", raising=False)
    out = tmp_path / "demo"

    assert demo.main(["--rows", "3000", "--out", str(out)]) == 0
    printed, errors = capsys.readouterr()
    log = (out / "demo.log").read_text(encoding="utf-8")
    assert "DEBUG" not in printed + errors
    assert "DEBUG" in log and "RUN_SUCCESS" in log
    assert f"Dagster's full log: {out / 'demo.log'}" in printed
    for step in ("1. ingestion", "usage pushed through the billing API",
                 "2. ingestion, rating 2026-10", "3. dual run"):
        assert any(line.startswith(f"  {step}") and line.endswith(" s")
                   for line in printed.splitlines()), step
    assert "check invoice_lines.inputs_complete: passed" in printed
    # The usage pushed over HTTP reached the ledger through the flushed files and the sensor.
    assert "93 counters (POST /usage) and 30 events (POST /events/batch)" in printed
    assert "the sensor new_usage_files asked for: rate_period 2026-10" in printed
    # However many flushes the pushes fell into: every row, none quarantined.
    assert re.search(r"ingested in step 2: \d+ file\(s\), 123 rows, 0 quarantined", printed)
    assert "check webhook_deliveries.no_failed_webhook_deliveries: passed" in printed
    # Every catalog service's period.closed reached the local app, each signature verified.
    assert re.search(r"the local app verified \d+ signed events \(period.closed 5, "
                     r"usage.rejected \d+\), refused 0", printed)
    assert len(printed.splitlines()) < 80
