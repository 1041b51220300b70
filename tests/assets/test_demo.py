"""`make demo`'s output: a line per step and the summary on the terminal, Dagster's log in a
file it names."""

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
    for step in ("1. ingestion", "2. rating 2026-10", "3. dual run"):
        assert any(line.startswith(f"  {step}") and line.endswith(" s")
                   for line in printed.splitlines()), step
    assert "check invoice_lines.inputs_complete: passed" in printed
    assert len(printed.splitlines()) < 80
