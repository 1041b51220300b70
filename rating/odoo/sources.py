"""Where a posting run's documents come from: the period's invoices (invoice_lines), then the
adjustments issued for it (period_adjustments, rating.adjust.documents). Each source names its
keys in order and builds a batch of them as Odoo documents; the run posts every source's keys
the same once-only way (rating.odoo.runner)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from rating import warehouse
from rating.odoo.documents import Unpostable, documents
from rating.odoo.options import PostingOptions
from rating.odoo.payload import InvoiceDocument, Precision

Build = Callable[[Any, str, Sequence[str], PostingOptions, Callable[[str], Precision]],
                 Iterator[InvoiceDocument | Unpostable]]


@dataclass(frozen=True)
class DocumentSource:
    """One family of documents: `keys_statement` lists a period's keys (in the column
    `key_column`), `build` makes a batch of them Odoo documents, in key order."""

    name: str  # what the run's progress calls them: "invoices", "adjustments"
    keys_statement: str
    key_column: str
    build: Build

    def keys(self, con: Any, period: str) -> list[str]:
        return [row[self.key_column] for row in warehouse.rows(
            con, self.keys_statement, {"billing_period": period})]


INVOICES = DocumentSource("invoices", "odoo/invoice_keys", "invoice_key", documents)
