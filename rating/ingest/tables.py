"""Subscriptions and account links, landed as CSV or Parquet beside the usage, and the loader
of landed CSV/Parquet tables that the finance files share.

`<landing>/subscriptions/` holds subscription_id, service, account_id, plan_code, start, end;
`<landing>/accounts/` holds service, account_id, customer_key, name, email, country, province,
and optionally street, city, postal_code and language (an Odoo code such as fr_CA; by default
French in Quebec) for the customer's Odoo partner. Both kinds may carry `version_at` (a UTC
timestamp; the API's files do): the latest usable version of a subscription_id or a (service,
account_id) is in force (sql/ingest/references/check_*.sql); a row without it is older than any
row with it. The name is distinctive on purpose: CRM exports often carry an `updated_at` of
their own, in their own format, which is an ignored extra column like any other. The tables keep
it as `updated_at_text` (reference_rows_*).
Which version of each file is in force: rating.ingest.references. Rows that cannot be used go to
`reference_quarantine` with a reason; usage that needed them is then held when its period is
rated (unknown_account, no_subscription) and rated by a later rating once fixed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import duckdb

from rating import warehouse
from rating.ingest import landing, names

SUBSCRIPTION_COLUMNS = {"subscription_id": "subscription_id", "service": "service",
                        "account_id": "account_id", "plan_code": "plan_code",
                        "start_text": "start", "end_text": "end",
                        "updated_at_text": "version_at"}
ACCOUNT_COLUMNS = {"service": "service", "account_id": "account_id",
                   "customer_key": "customer_key", "name": "name", "email": "email",
                   "country": "country", "province": "province", "street": "street",
                   "city": "city", "postal_code": "postal_code", "language": "language",
                   "updated_at_text": "version_at"}
DESCRIBE = {"csv": "ingest/references/describe_csv",
            "parquet": "ingest/references/describe_parquet"}
REQUIRED = {"subscriptions": {"subscription_id", "service", "account_id", "plan_code", "start"},
            "accounts": {"service", "account_id", "customer_key"}}


def check_reference(con: Any, time_zone: str) -> None:
    """Check the rows in force (raw_subscriptions, raw_accounts: rating.ingest.references) into
    ref_accounts and ref_subscriptions, each unusable row with its reason."""
    warehouse.run(con, "ingest/references/check_accounts")
    warehouse.run(con, "ingest/references/create_ref_accounts")
    warehouse.run(con, "ingest/references/check_subscriptions", {"time_zone": time_zone})
    warehouse.run(con, "ingest/references/create_ref_subscriptions")


def files(con: Any, landing_root: str, kind: str) -> list[str]:
    """The CSV and Parquet files under `<landing>/<kind>/`, at any depth, sorted."""
    root = landing_root.rstrip("/")
    if not root.startswith("s3://") and not Path(root, kind).is_dir():
        return []
    found: list[str] = []
    for ext in ("csv", "parquet"):
        found.extend(row["file"] for row in warehouse.rows(
            con, "ingest/references/glob_files", {"pattern": f"{root}/{kind}/**/*.{ext}"}))
    return sorted(found)


def load_table_file(con: Any, landing_root: str, path: str, *, table: str,
                    columns: Sequence[str], required: frozenset[str] | set[str],
                    inserts: Mapping[str, str]) -> tuple[str, str, str] | None:
    """Append one CSV or Parquet file to `table`, every column as text (a column the file
    lacks is NULL), through the statement `inserts` names for its format ("csv", "parquet");
    (relative path, reason, detail) when the file cannot be used as a whole: unreadable_file
    or missing_column."""
    relative = landing.relative_path(landing_root, path)
    fmt = "parquet" if path.endswith(".parquet") else "csv"
    if any(c in names.GLOB_CHARACTERS for c in path):
        return relative, "unreadable_file", names.GLOB_NAME_ERROR
    unaddressable = names.unaddressable(path, relative)
    if unaddressable is not None:
        return relative, "unreadable_file", unaddressable
    try:
        present = {row["column_name"]
                   for row in warehouse.rows(con, DESCRIBE[fmt], {"file": path})}
        missing = sorted(set(required) - present)
        if missing:
            return relative, "missing_column", f"missing: {', '.join(missing)}"
        # Only names from the callers' fixed column lists are spliced into the statement.
        projection = ", ".join(f'CAST("{c}" AS VARCHAR)' if c in present else "NULL::VARCHAR"
                               for c in columns)
        statement = (warehouse.sql(inserts[fmt])
                     .replace("{table}", table).replace("{projection}", projection))
        warehouse.run_text(con, statement, {"file_path": relative, "file": path})
    except duckdb.Error as exc:  # known-good statements on one file: the file's fault
        return relative, "unreadable_file", landing.first_line(exc)
    return None
