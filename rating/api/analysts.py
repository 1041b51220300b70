"""The warehouse as the API reads it: the analysts' copy, `<warehouse>-analysts.duckdb`.

Dagster and the CLI write the warehouse itself with one writer and no reader beside it, so the
server never opens it. After every command that writes it, rating.finance.run.
publish_analyst_copy replaces the copy in one step (written beside it, renamed over it): a
request opens whichever copy is there, read-only, and keeps the one it opened however long it
reads. The answers are as of the last publishing, i.e. the last rating, close, adjust or post.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from rating.api import errors

RETRY_SECONDS = 60
"""What a caller is told to wait when no copy is published yet (a first run writes one)."""


def analyst_copy(warehouse: Path) -> Path:
    """Where publish_analyst_copy puts the copy of `warehouse`."""
    return warehouse.with_name(f"{warehouse.stem}-analysts{warehouse.suffix}")


@contextmanager
def reading(warehouse: Path) -> Iterator[Any]:
    """A read-only connection to the analysts' copy, closed after; 503 with Retry-After in
    Lago's shape while none is published."""
    path = analyst_copy(warehouse)
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.IOException as exc:
        if path.exists():
            raise
        raise errors.ApiError(503, "warehouse_not_published",
                              retry_after=RETRY_SECONDS) from exc
    try:
        yield con
    finally:
        con.close()
