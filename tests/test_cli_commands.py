"""The command line as the README shows it: --version, help with defaults, `sample`'s refusals,
`post`'s exit codes, and the analysts' copy refreshed after every command that writes."""

from __future__ import annotations

import argparse
from importlib import metadata
from pathlib import Path

import duckdb
import pytest

from rating import cli
from rating.cli_args import build_parser


def _exit(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int | str | None, str]:
    """Exit code and output (stdout then stderr) of an argparse exit (--help, --version, an
    argument error)."""
    with pytest.raises(SystemExit) as stopped:
        cli.main(argv)
    out, err = capsys.readouterr()
    return stopped.value.code, out + err


@pytest.mark.fast
def test_version_names_the_installed_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _exit(["--version"], capsys)
    assert code == 0
    assert out.strip() == f"fusion-rating {metadata.version('fusion-rating')}"


@pytest.mark.fast
def test_sample_help_describes_each_option_and_its_default(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _exit(["sample", "--help"], capsys)
    assert code == 0
    assert "[--rows N]" in out  # not required
    flat = " ".join(out.split())
    for text in ("--rows N usage rows", "(default: 100000)", "(default: 2026-10)",
                 "(default: 7)", "--force replace DIR/landing", "unless --force"):
        assert text in flat, text
    # No "(default: None)" or "(default: False)" noise.
    assert "default: None" not in flat and "default: False" not in flat


@pytest.mark.fast
def test_options_show_their_defaults_once(capsys: pytest.CaptureFixture[str]) -> None:
    _, out = _exit(["rate", "--help"], capsys)
    flat = " ".join(out.split())
    assert "billing time zone (default: America/Toronto)" in flat
    assert flat.count("(default 5)") == 1 and "(default: 5)" not in flat


@pytest.mark.fast
def test_module_synopsis_shows_rows_as_optional() -> None:
    assert "fusion-rating sample --out DIR [--rows N]" in (cli.__doc__ or "")


@pytest.mark.fast
@pytest.mark.parametrize("rows", ["0", "-3"])
def test_sample_refuses_fewer_than_one_row(rows: str, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _exit(["sample", "--out", str(tmp_path), "--rows", rows], capsys)
    assert code == 2
    assert "argument --rows" in out and "give at least 1" in out
    assert "Traceback" not in out
    assert not (tmp_path / "landing").exists()


@pytest.mark.fast
def test_post_help_lists_its_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    _, out = _exit(["post", "--help"], capsys)
    assert "exit codes:" in out
    for code in ("0  every invoice posted", "1  some invoices held", "2  nothing tried",
                 "3  Odoo stopped answering"):
        assert code in out, code


@pytest.mark.fast
def test_every_command_that_writes_the_warehouse_refreshes_the_analysts_copy() -> None:
    """Each subcommand with --warehouse writes it, but `report` (it only reads) and the API's
    commands (they name the warehouse only to find its .api folder and its analysts' copy)."""
    parser = build_parser(None)
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    with_warehouse = {name for name, sub in commands.choices.items()
                      if any("--warehouse" in a.option_strings for a in sub._actions)}
    assert with_warehouse - {"report", "serve", "service", "key"} == set(cli.PUBLISHED_AFTER)


@pytest.mark.engine
def test_sample_refuses_to_delete_files_it_did_not_write(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "sample"
    assert cli.main(["sample", "--out", str(out), "--rows", "1000"]) == 0
    assert cli.main(["sample", "--out", str(out), "--rows", "1000", "--seed", "8"]) == 0
    mine = out / "landing" / "usage" / "mine" / "october.parquet"
    mine.parent.mkdir()
    mine.write_bytes(b"a person's file")
    capsys.readouterr()

    assert cli.main(["sample", "--out", str(out), "--rows", "1000"]) == 2
    err = capsys.readouterr().err
    assert "landing/usage/mine/october.parquet" in err and "--force" in err
    assert mine.exists()

    assert cli.main(["sample", "--out", str(out), "--rows", "1000", "--force"]) == 0
    assert not mine.exists()


def _count(database: Path, table: str = "rating_runs") -> int:
    with duckdb.connect(str(database), read_only=True) as con:
        row = con.execute(f"SELECT count(*) FROM {table}").fetchone()
    assert row is not None
    return int(row[0])


@pytest.mark.engine
def test_rate_refreshes_the_analysts_copy(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    sample, warehouse = tmp_path / "sample", tmp_path / "warehouse.duckdb"
    copy = tmp_path / "warehouse-analysts.duckdb"
    assert cli.main(["sample", "--out", str(sample), "--rows", "1000", "--clean"]) == 0
    rate = ["rate", "--landing", str(sample / "landing"), "--catalog", str(sample / "catalog"),
            "--warehouse", str(warehouse), "--period", "2026-10"]

    assert cli.main(rate) == 0
    assert f"analysts' copy: {copy}" in capsys.readouterr().out
    assert _count(copy) == _count(warehouse) == 1
    assert cli.main(rate) == 0
    assert _count(copy) == _count(warehouse) == 2


@pytest.mark.engine
def test_a_command_that_wrote_nothing_leaves_the_copy_alone(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    assert cli.main(["rate", "--landing", str(tmp_path / "nowhere"), "--catalog",
                     str(tmp_path / "none"), "--warehouse", str(warehouse),
                     "--period", "2026-10"]) == 2
    assert not (tmp_path / "warehouse-analysts.duckdb").exists()


@pytest.mark.engine
def test_close_and_post_refresh_the_analysts_copy(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ODOO_URL", raising=False)  # post: a dry run into odoo_outbox
    sample, warehouse = tmp_path / "sample", tmp_path / "warehouse.duckdb"
    copy = tmp_path / "warehouse-analysts.duckdb"
    assert cli.main(["sample", "--out", str(sample), "--rows", "1000", "--clean"]) == 0
    assert cli.main(["rate", "--landing", str(sample / "landing"), "--catalog",
                     str(sample / "catalog"), "--warehouse", str(warehouse),
                     "--period", "2026-10"]) == 0
    assert _count(copy, "closed_periods") == 0

    assert cli.main(["close", "--warehouse", str(warehouse), "--period", "2026-10"]) == 0
    assert _count(copy, "closed_periods") == 1
    assert cli.main(["post", "--warehouse", str(warehouse), "--period", "2026-10",
                     "--catalog", str(sample / "catalog")]) == 0
    assert _count(copy, "odoo_outbox") == _count(warehouse, "odoo_outbox") > 0
