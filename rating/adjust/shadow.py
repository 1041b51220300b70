"""The shadow schema a re-rate writes in: the rating's own statements, unchanged, resolve their
unqualified table names to empty copies in `rerate` first, so a closed period is priced again
without touching main's rows."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import duckdb

from rating import warehouse

SHADOW_TABLES = ("adjust/create_rerate_usage_rollups", "adjust/create_rerate_rated_charges",
                 "adjust/create_rerate_invoice_lines")
SHADOW_DROPS = ("adjust/drop_rerate_usage_rollups", "adjust/drop_rerate_rated_charges",
                "adjust/drop_rerate_invoice_lines", "adjust/drop_rerate_schema")


@contextmanager
def shadow(con: Any) -> Iterator[None]:
    """Meanwhile, the rating's statements write and read empty copies of usage_rollups,
    rated_charges and invoice_lines in the schema `rerate` (their unqualified names resolve
    there first), inside the caller's transaction; main's rows are not touched. On the way
    out the search_path is reset (always: ROLLBACK would not undo it) and the scratch schema
    dropped, so copy what is kept from `rerate.*` before leaving."""
    warehouse.require_main_tables(con)
    warehouse.run(con, "adjust/create_rerate_schema")
    for statement in SHADOW_TABLES:
        warehouse.run(con, statement)
    warehouse.run(con, "adjust/set_rerate_path")
    try:
        yield
    finally:
        try:
            warehouse.run(con, "warehouse/reset_search_path")
            for statement in SHADOW_DROPS:
                warehouse.run(con, statement)
        except duckdb.TransactionException:
            pass  # aborted: `transaction` resets after its ROLLBACK, which drops the schema
