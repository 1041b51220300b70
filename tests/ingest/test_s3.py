"""The landing root as an S3-compatible bucket: an in-process moto server on 127.0.0.1.

The same sample month is rated from a local folder and from `s3://bucket/landing`; every
table but the wall-clock columns (usage_builder.WALL_CLOCK) must come out identical.
"""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from rating.cli import main
from rating.ingest import landing
from rating.ingest import s3 as s3_module
from rating.ingest.s3 import load_httpfs, s3_secret_options
from rating.rate.engine import RateResult
from rating.samples.usage import SampleSummary, write_sample
from tests.support.usage_builder import rate_landing, rows, snapshot

BUCKET = "bucket"
KEY_ID = "fusion-test-key"
SECRET = "fusion-test-secret"
REGION = "us-east-1"
TABLES = ("landed_files", "usage_quarantine", "reference_quarantine", "usage_rollups",
          "rated_charges", "invoice_lines")


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> SampleSummary:
    return write_sample(tmp_path_factory.mktemp("s3") / "sample", rows=3000)


@pytest.fixture(scope="module")
def moto_s3() -> Iterator[tuple[str, Any]]:
    """(endpoint host:port, boto3 client) of a moto S3 server with an empty bucket; stopped at
    the end of the module."""
    server_module = pytest.importorskip(
        "moto.server", reason="moto[server] cannot be imported (pip install -e '.[dev]')",
        exc_type=ImportError)
    import boto3

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request otherwise
    server = server_module.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"{host}:{port}"
        client = boto3.client("s3", endpoint_url=f"http://{endpoint}", region_name=REGION,
                              aws_access_key_id=KEY_ID, aws_secret_access_key=SECRET)
        client.create_bucket(Bucket=BUCKET)
        yield endpoint, client
    finally:
        server.stop()


@pytest.fixture(scope="module")
def s3(moto_s3: tuple[str, Any], sample: SampleSummary) -> tuple[str, Any]:
    """moto_s3 holding the sample under `landing/`."""
    upload(moto_s3[1], sample.landing, "landing")
    return moto_s3


@pytest.fixture
def s3_env(s3: tuple[str, Any], monkeypatch: pytest.MonkeyPatch) -> Any:
    """The S3 settings in the environment, as an operator would give them; the boto3 client."""
    endpoint, client = s3
    for name, value in (("AWS_ACCESS_KEY_ID", KEY_ID), ("AWS_SECRET_ACCESS_KEY", SECRET),
                        ("AWS_REGION", REGION), ("FUSION_S3_ENDPOINT", endpoint),
                        ("FUSION_S3_URL_STYLE", "path"), ("FUSION_S3_USE_SSL", "false")):
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    return client


def upload(client: Any, folder: Path, prefix: str) -> list[str]:
    """Every file under `folder`, keyed `prefix/<path relative to folder>`."""
    keys = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        key = f"{prefix}/{path.relative_to(folder).as_posix()}"
        client.upload_file(str(path), BUCKET, key)
        keys.append(key)
    return keys


def counts(result: RateResult) -> tuple[Any, ...]:
    ingested, rated = result.ingestion, result.period
    return (ingested.files_found, ingested.files_unreadable, ingested.rows_read,
            ingested.rows_accepted, ingested.rows_superseded, ingested.rows_quarantined,
            rated.rows_rated, rated.rows_held, rated.rated_lines, rated.invoice_lines,
            rated.unpriced_lines, rated.amount_total, ingested.quarantine_by_reason)


def contents(wh: Path, name: str) -> list[tuple[Any, ...]]:
    """A table's rows as sorted tuples (repr orders rows with NULLs and lists too), without
    wall-clock columns."""
    return sorted(snapshot(wh, [name])[name], key=repr)


@pytest.mark.slow
def test_rating_an_s3_landing_zone_equals_rating_the_local_folder(
        sample: SampleSummary, s3_env: Any, tmp_path: Path) -> None:
    local_wh, s3_wh = tmp_path / "local.duckdb", tmp_path / "s3.duckdb"
    local = rate_landing(sample.landing, local_wh, catalog=sample.catalog)
    remote = rate_landing(f"s3://{BUCKET}/landing", s3_wh, catalog=sample.catalog)

    ingested = remote.ingestion
    assert ingested.rows_read == 3000 and ingested.rows_accepted > 0
    assert ingested.rows_superseded > 0 and ingested.rows_quarantined > 0
    assert counts(remote) == counts(local)
    for name in TABLES:
        assert contents(s3_wh, name) == contents(local_wh, name), name
    # The sample's corrupt file, by its path relative to the landing root in both runs.
    unreadable = ("SELECT file_path, status, error FROM landed_files"
                  " WHERE status = 'unreadable'")
    assert rows(s3_wh, unreadable) == rows(local_wh, unreadable)
    [(path, _, error)] = rows(s3_wh, unreadable)
    assert path == "usage/corrupt/garbage.parquet"
    assert "s3://" not in error and str(sample.landing) not in error


@pytest.mark.slow
def test_a_corrupt_object_is_quarantined_by_name_and_the_rest_rated(
        sample: SampleSummary, s3_env: Any, tmp_path: Path) -> None:
    """The sample again under another prefix, plus a truncated copy of a good file (its
    footer is missing): that object is quarantined by name, every other row is rated."""
    baseline_wh, wh = tmp_path / "base.duckdb", tmp_path / "damaged.duckdb"
    baseline = rate_landing(f"s3://{BUCKET}/landing", baseline_wh, catalog=sample.catalog)
    upload(s3_env, sample.landing, "damaged")
    good = (sample.landing / "usage" / "nexacloud" / "2026-10" / "part-0000.parquet").read_bytes()
    s3_env.put_object(Bucket=BUCKET, Key="damaged/usage/late/truncated.parquet",
                      Body=good[:len(good) // 2])

    result = rate_landing(f"s3://{BUCKET}/damaged", wh, catalog=sample.catalog)

    assert result.ingestion.files_found == baseline.ingestion.files_found + 1
    assert result.ingestion.files_unreadable == baseline.ingestion.files_unreadable + 1
    # The same rows rated; only the extra unreadable_file entry differs.
    assert counts(result)[2:12] == counts(baseline)[2:12]
    by_reason = dict(baseline.ingestion.quarantine_by_reason)
    by_reason["unreadable_file"] += 1
    assert dict(result.ingestion.quarantine_by_reason) == by_reason
    unreadable = [("usage/corrupt/garbage.parquet", None), ("usage/late/truncated.parquet", None)]
    assert rows(wh, "SELECT file_path, rows_in_file FROM landed_files"
                    " WHERE status = 'unreadable' ORDER BY file_path") == unreadable
    assert rows(wh, "SELECT file_path, file_row_number FROM usage_quarantine"
                    " WHERE reason = 'unreadable_file' ORDER BY file_path") == unreadable
    [(error,)] = rows(wh, "SELECT error FROM landed_files"
                          " WHERE file_path = 'usage/late/truncated.parquet'")
    assert "usage/late/truncated.parquet" in error and "s3://" not in error
    for name in ("usage_rollups", "rated_charges", "invoice_lines"):
        assert contents(wh, name) == contents(baseline_wh, name), name


@pytest.mark.slow
def test_an_object_named_with_glob_characters_is_read_literally(
        sample: SampleSummary, s3_env: Any, tmp_path: Path) -> None:
    """x[1].parquet beside x1.parquet: DuckDB takes a path as a pattern, so unescaped the first
    would read the second's rows."""
    from tests.support.usage_builder import Landing, usage_row

    landing = Landing(tmp_path / "landing")
    landing.usage("x[1].parquet", [usage_row(value=5), usage_row(value=1)])
    landing.usage("x1.parquet", [usage_row(value=7)])
    upload(s3_env, landing.root, "globbed")
    wh = tmp_path / "wh.duckdb"
    result = rate_landing(f"s3://{BUCKET}/globbed", wh)
    assert (result.ingestion.files_found, result.ingestion.files_unreadable,
            result.ingestion.rows_read, result.ingestion.rows_accepted) == (2, 0, 3, 3)
    assert rows(wh, "SELECT file_path, rows_in_file, size_bytes > 0 AND content_hash <> ''"
                    " FROM landed_files ORDER BY ALL") == [("usage/x1.parquet", 1, True),
                                                           ("usage/x[1].parquet", 2, True)]
    assert rows(wh, "SELECT sum(quantity) FROM usage_rollups") == [(13,)]


@pytest.mark.fast
def test_s3_settings_come_from_the_environment_only() -> None:
    environ = {"AWS_ACCESS_KEY_ID": "o'brien", "AWS_SECRET_ACCESS_KEY": "s'e'c",
               "AWS_SESSION_TOKEN": "", "AWS_DEFAULT_REGION": "ca-central-1",
               "FUSION_S3_URL_STYLE": "Path", "FUSION_S3_USE_SSL": "false"}
    assert s3_secret_options(environ) == {
        "KEY_ID": "o'brien", "SECRET": "s'e'c", "REGION": "ca-central-1", "URL_STYLE": "path",
        "USE_SSL": "false"}
    assert s3_secret_options({"AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "x"}) == {
        "REGION": "us-east-1"}
    assert s3_secret_options({}) == {}
    with pytest.raises(ValueError, match="FUSION_S3_USE_SSL"):
        s3_secret_options({"FUSION_S3_USE_SSL": "maybe"})

    con = duckdb.connect()
    try:
        load_httpfs(con, environ)
        [(description,)] = con.execute(
            "SELECT secret_string FROM duckdb_secrets() WHERE name = 'fusion_landing'"
        ).fetchall()
    finally:
        con.close()
    assert "key_id=o'brien" in description and "region=ca-central-1" in description
    assert "s'e'c" not in description  # DuckDB redacts the secret itself


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def point_at(monkeypatch: pytest.MonkeyPatch, endpoint: str) -> None:
    """The S3 settings an operator gives, towards `endpoint`."""
    for name, value in (("AWS_ACCESS_KEY_ID", KEY_ID), ("AWS_SECRET_ACCESS_KEY", SECRET),
                        ("AWS_REGION", REGION), ("FUSION_S3_ENDPOINT", endpoint),
                        ("FUSION_S3_URL_STYLE", "path"), ("FUSION_S3_USE_SSL", "false")):
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)


CATALOG = Path(__file__).resolve().parents[2] / "catalog"


@pytest.mark.engine
@pytest.mark.parametrize("command", [["ingest"], ["rate", "--period", "2026-10"],
                                     ["finance", "--period", "2026-10"]])
def test_an_s3_endpoint_that_refuses_connections_stops_the_run_in_one_line_naming_it(
        command: list[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    endpoint = f"127.0.0.1:{closed_port()}"
    point_at(monkeypatch, endpoint)
    wh = tmp_path / "wh.duckdb"
    started = time.monotonic()

    code = main([*command, "--landing", f"s3://{BUCKET}/landing", "--catalog", str(CATALOG),
                 "--warehouse", str(wh)])

    elapsed = time.monotonic() - started
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    [line] = err.strip().splitlines()
    assert f"s3://{BUCKET}/landing" in line and f"http://{endpoint}" in line
    assert "connection refused" in line and "FUSION_S3_ENDPOINT" in line
    assert SECRET not in line and KEY_ID not in line
    assert list(tmp_path.iterdir()) == []  # no warehouse, no ledger, no lock file
    assert elapsed < 5, elapsed


@pytest.mark.engine
def test_an_s3_endpoint_that_never_answers_times_out_quickly_and_says_so(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(s3_module, "PROBE_TIMEOUT_SECONDS", 1)
    with socket.socket() as silent:  # accepts connections (the kernel does), never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        point_at(monkeypatch, f"127.0.0.1:{silent.getsockname()[1]}")
        started = time.monotonic()
        with pytest.raises(s3_module.LandingUnreachable, match="timed out") as raised:
            landing.require_reachable(f"s3://{BUCKET}/landing")
        elapsed = time.monotonic() - started
    assert "no answer within 1 s" in str(raised.value)
    assert elapsed < 4, elapsed  # one try and one retry of a second each


@pytest.mark.slow
def test_a_missing_bucket_or_refused_credentials_are_named_with_what_to_check(
        s3: tuple[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    endpoint, _ = s3
    point_at(monkeypatch, endpoint)
    with pytest.raises(s3_module.LandingUnreachable) as missing:
        landing.require_reachable("s3://no-such-bucket/landing")
    assert "no such bucket no-such-bucket" in str(missing.value)
    assert "--landing (or FUSION_LANDING)" in str(missing.value)

    import moto.settings

    monkeypatch.setattr(moto.settings, "INITIAL_NO_AUTH_ACTION_COUNT", 0)  # check credentials
    with pytest.raises(s3_module.LandingUnreachable) as denied:
        landing.require_reachable(f"s3://{BUCKET}/landing")
    message = str(denied.value)
    assert "access denied (InvalidAccessKeyId)" in message
    assert "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY" in message
    assert SECRET not in message


def upload_landing(client: Any, tmp_path: Path, prefix: str,
                   usage: dict[str, int]) -> str:
    """A landing zone with one usage row per file (file name: value) under `prefix`; its URL."""
    from tests.support.usage_builder import Landing, usage_row

    built = Landing(tmp_path / prefix)
    for name, value in usage.items():
        built.usage(name, [usage_row(value=value)])
    upload(client, built.root, prefix)
    return f"s3://{BUCKET}/{prefix}"


@pytest.mark.engine
def test_an_object_whose_key_has_a_question_mark_is_held_by_name_and_the_others_read(
        moto_s3: tuple[str, Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """DuckDB ends an s3:// URL at `?` (the rest is query parameters): unheld, x?.parquet
    stopped every run with 'Invalid query parameters found'."""
    endpoint, client = moto_s3
    point_at(monkeypatch, endpoint)
    root = upload_landing(client, tmp_path, "question", {
        "x?.parquet": 1000, "xa.parquet": 5, "x{1}.parquet": 7, "y#1 %41.parquet": 9})
    wh = tmp_path / "wh.duckdb"
    result = rate_landing(root, wh)
    assert (result.ingestion.files_found, result.ingestion.files_unreadable,
            result.ingestion.rows_read, result.ingestion.rows_accepted) == (4, 1, 3, 3)
    assert rows(wh, "SELECT file_path, status, content_hash <> '' FROM landed_files"
                    " ORDER BY ALL") == [
        ("usage/x?.parquet", "unreadable", False), ("usage/xa.parquet", "ingested", True),
        ("usage/x{1}.parquet", "ingested", True), ("usage/y#1 %41.parquet", "ingested", True)]
    assert rows(wh, "SELECT file_path, reason, detail FROM usage_quarantine") == [(
        "usage/x?.parquet", "unreadable_file", "usage/x?.parquet cannot be read by its exact"
        " name: DuckDB reads what follows ? in an s3:// URL as query parameters; rename it"
        " without ?")]
    assert rows(wh, "SELECT sum(quantity) FROM usage_rollups") == [(21,)]


@pytest.mark.engine
def test_an_object_whose_key_has_a_backslash_is_held_by_name(
        moto_s3: tuple[str, Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """DuckDB never finds such an object (it said only 'No files found that match the
    pattern'), with or without a glob character beside the backslash."""
    endpoint, client = moto_s3
    point_at(monkeypatch, endpoint)
    root = upload_landing(client, tmp_path, "backslash", {
        "a/b[1].parquet": 5, "a\\b[1].parquet": 1000, "x\\c.parquet": 2000})
    wh = tmp_path / "wh.duckdb"
    result = rate_landing(root, wh)
    assert (result.ingestion.files_found, result.ingestion.files_unreadable,
            result.ingestion.rows_read, result.ingestion.rows_accepted) == (3, 2, 1, 1)
    held = rows(wh, "SELECT file_path, detail FROM usage_quarantine ORDER BY ALL")
    assert [path for path, _ in held] == ["usage/a\\b[1].parquet", "usage/x\\c.parquet"]
    for path, detail in held:
        assert detail == (f"{path} cannot be read by its exact name: DuckDB does not find an"
                          " s3:// object whose key has \\; rename it without \\")
    assert rows(wh, "SELECT sum(quantity) FROM usage_rollups") == [(5,)]


@pytest.mark.engine
def test_listing_and_hashing_mark_an_object_they_cannot_read_and_read_the_others(
        moto_s3: tuple[str, Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The fallback behind the names held by discover: one object that read_blob cannot read
    (an error) or cannot find (no row) must not stop the landing zone being read."""
    import hashlib

    endpoint, client = moto_s3
    point_at(monkeypatch, endpoint)
    root = upload_landing(client, tmp_path, "fallback",
                          {"x?.parquet": 1, "x\\c.parquet": 2, "xa.parquet": 3})
    good_bytes = (tmp_path / "fallback" / "usage" / "xa.parquet").read_bytes()

    def fresh() -> list[landing.LandedFile]:
        return [landing.LandedFile(path=f"{root}/usage/{name}", relative_path=f"usage/{name}",
                                   file_id=number)
                for number, name in enumerate(["x?.parquet", "x\\c.parquet", "xa.parquet"])]

    con = duckdb.connect()
    try:
        landing.open_root(con, root)
        observed_files, hashed_files = fresh(), fresh()
        observed = landing.observe(con, root, observed_files)
        hashes = landing.content_hashes(con, root, hashed_files)
    finally:
        con.close()
    for files in (observed_files, hashed_files):
        question, backslash, good = files
        assert question.error is not None and question.error.startswith("usage/x?.parquet: ")
        assert "Invalid query parameters" in question.error
        assert backslash.error == ("usage/x\\c.parquet cannot be read by its exact name: DuckDB"
                                   " found another file in its place, or none; rename the file")
        assert good.error is None
    assert observed[f"{root}/usage/xa.parquet"].size_bytes == len(good_bytes)
    assert hashes[f"{root}/usage/xa.parquet"] == hashlib.sha256(good_bytes).hexdigest()
    assert hashes[f"{root}/usage/x?.parquet"] == ""


@pytest.mark.engine
def test_account_files_whose_keys_have_a_question_mark_or_backslash_are_held_by_name(
        moto_s3: tuple[str, Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Reference files are listed and hashed like usage files: the same objects stopped it (in
    the caller's transaction, so they must not be read at all)."""
    endpoint, client = moto_s3
    point_at(monkeypatch, endpoint)
    root = upload_landing(client, tmp_path, "reference", {"xa.parquet": 5})
    accounts = (tmp_path / "reference" / "accounts" / "accounts.csv").read_bytes()
    for name in ("more?.csv", "more\\x.csv"):
        client.put_object(Bucket=BUCKET, Key=f"reference/accounts/{name}", Body=accounts)
    wh = tmp_path / "wh.duckdb"
    rate_landing(root, wh)
    assert rows(wh, "SELECT kind, file_path, reason, detail LIKE '%rename%'"
                    " FROM held_inputs ORDER BY file_path") == [
        ("accounts", "accounts/more?.csv", "unreadable_file", True),
        ("accounts", "accounts/more\\x.csv", "unreadable_file", True)]
    assert rows(wh, "SELECT sum(quantity) FROM usage_rollups") == [(5,)]
