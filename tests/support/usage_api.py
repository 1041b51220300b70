"""Counters for the usage API, and what the real ingest makes of the files it flushed."""

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb

from rating.api.settings import ApiSettings
from rating.cli import main
from rating.ingest import ledger

NOW = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0)
"""An hour boundary now; windows start an hour or more before it (never across a period)."""


def counter(counter_id: str, value: Any = "1.5", hours_ago: int = 2, **fields: Any
            ) -> dict[str, Any]:
    """A NexaCloud vcpu_hours counter per the contract, as an app sends it."""
    start = NOW - dt.timedelta(hours=hours_ago)
    body = {"counter_id": counter_id, "account_id": "nc-1", "metric": "vcpu_hours",
            "period_start": start.isoformat(),
            "period_end": (start + dt.timedelta(minutes=30)).isoformat(),
            "value": value, "unique_key": None, "dimensions": {"region": "ca-east"},
            "pushed_at": NOW.isoformat()}
    body.update(fields)
    return body


def ingest(settings: ApiSettings) -> None:
    """The real ingest of the landing zone into the warehouse's ledger."""
    assert main(["ingest", "-q", "--landing", str(settings.landing), "--catalog",
                 str(settings.catalog), "--warehouse", str(settings.warehouse)]) == 0


def ledger_rows(settings: ApiSettings) -> list[dict[str, Any]]:
    """Every row of the ledger (status, reason, the counter's columns)."""
    con = duckdb.connect(":memory:")
    try:
        ledger.attach(con, ledger.default_folder(settings.warehouse), read_only=True)
        cursor = con.execute(
            "SELECT counter_id, service, account_id, metric, status, reason, value, unique_key,"
            " dimensions, period_start, period_end, pushed_at FROM ledger.usage_rows"
            " ORDER BY counter_id, pushed_at")
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        con.close()


def accepted(settings: ApiSettings) -> dict[str, dict[str, Any]]:
    """The accepted rows by counter_id (each counter_id accepted at most once)."""
    found: dict[str, dict[str, Any]] = {}
    for row in ledger_rows(settings):
        if row["status"] == "accepted":
            assert row["counter_id"] not in found, row
            found[row["counter_id"]] = row
    return found


def landed_files(settings: ApiSettings) -> list[Path]:
    return sorted((settings.landing / "usage").rglob("*.parquet"))


def as_json(body: Any) -> bytes:
    """JSON with each Decimal as a bare JSON number (an app's JSON library writes 0.1 so)."""
    import json
    import re

    text = json.dumps(body, default=lambda d: f"@@{d}@@")
    return re.sub(r'"@@([^@]*)@@"', r"\1", text).encode()
