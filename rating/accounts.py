"""Subscriptions and account links, landed as CSV or Parquet beside the usage.

`<landing>/subscriptions/` holds subscription_id, service, account_id, plan_code, start, end;
`<landing>/accounts/` holds service, account_id, customer_key, name, email, country, province.
Rows that cannot be used go to `reference_quarantine` with a reason; usage that needed them is
then quarantined (unknown_account, no_subscription) and rated on a later run once fixed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from rating import landing, warehouse

SUBSCRIPTION_COLUMNS = {"subscription_id": "subscription_id", "service": "service",
                        "account_id": "account_id", "plan_code": "plan_code",
                        "start_text": "start", "end_text": "end"}
ACCOUNT_COLUMNS = {"service": "service", "account_id": "account_id",
                   "customer_key": "customer_key", "name": "name", "email": "email",
                   "country": "country", "province": "province"}
REQUIRED = {"subscriptions": {"subscription_id", "service", "account_id", "plan_code", "start"},
            "accounts": {"service", "account_id", "customer_key"}}


@dataclass(frozen=True)
class FileProblem:
    kind: str
    file_path: str
    reason: str
    detail: str


def load_reference(con: Any, root: str, time_zone: str) -> list[FileProblem]:
    """Load and check subscriptions and account links into ref_subscriptions / ref_accounts."""
    problems: list[FileProblem] = []
    warehouse.run(con, "reference/create_raw_subscriptions")
    warehouse.run(con, "reference/create_raw_accounts")
    for kind, table, columns in (("subscriptions", "raw_subscriptions", SUBSCRIPTION_COLUMNS),
                                 ("accounts", "raw_accounts", ACCOUNT_COLUMNS)):
        for path in files(con, root, kind):
            problem = _load_file(con, root, kind, table, columns, path)
            if problem is not None:
                problems.append(problem)
    warehouse.run(con, "reference/check_accounts")
    warehouse.run(con, "reference/create_ref_accounts")
    warehouse.run(con, "reference/check_subscriptions", {"time_zone": time_zone})
    warehouse.run(con, "reference/create_ref_subscriptions")
    return problems


def files(con: Any, landing_root: str, kind: str) -> list[str]:
    """The CSV and Parquet files under `<landing>/<kind>/`, at any depth, sorted."""
    root = landing_root.rstrip("/")
    if not root.startswith("s3://") and not Path(root, kind).is_dir():
        return []
    found: list[str] = []
    for ext in ("csv", "parquet"):
        rows = warehouse.run(con, "reference/glob_files",
                             {"pattern": f"{root}/{kind}/**/*.{ext}"}).fetchall()
        found.extend(r[0] for r in rows)
    return sorted(found)


def _load_file(con: Any, landing_root: str, kind: str, table: str, columns: dict[str, str],
               path: str) -> FileProblem | None:
    problem = load_table_file(con, landing_root, path, table=table,
                              columns=tuple(columns.values()), required=REQUIRED[kind],
                              insert="reference/insert_raw")
    return None if problem is None else FileProblem(kind, *problem)


def load_table_file(con: Any, landing_root: str, path: str, *, table: str,
                    columns: Sequence[str], required: frozenset[str] | set[str],
                    insert: str) -> tuple[str, str, str] | None:
    """Append one CSV or Parquet file to `table`, every column as text (a column the file
    lacks is NULL), through `sql/<insert>_csv.sql` or `_parquet.sql`; (relative path, reason,
    detail) when the file cannot be used as a whole: unreadable_file or missing_column."""
    relative = landing.relative_path(landing_root, path)
    fmt = "parquet" if path.endswith(".parquet") else "csv"
    if any(c in landing.GLOB_CHARACTERS for c in path):
        return relative, "unreadable_file", landing.GLOB_NAME_ERROR
    try:
        present = {row[0] for row in warehouse.run(con, f"reference/describe_{fmt}",
                                                   {"file": path}).fetchall()}
        missing = sorted(set(required) - present)
        if missing:
            return relative, "missing_column", f"missing: {', '.join(missing)}"
        # Only names from the callers' fixed column lists are spliced into the statement.
        projection = ", ".join(f'CAST("{c}" AS VARCHAR)' if c in present else "NULL::VARCHAR"
                               for c in columns)
        statement = (warehouse.sql(f"{insert}_{fmt}")
                     .replace("{table}", table).replace("{projection}", projection))
        warehouse.run_text(con, statement, {"file_path": relative, "file": path})
    except duckdb.Error as exc:  # known-good statements on one file: the file's fault
        return relative, "unreadable_file", landing.first_line(exc)
    return None
