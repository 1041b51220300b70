"""How a posting run books and posts invoices (the catalog's `odoo:` settings, the CLI's and
Dagster's options)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from rating.catalog import Catalog, ServiceAccounting
from rating.odoo.payload import Precision


@dataclass(frozen=True)
class PostingOptions:
    """How invoices are posted.

    post: post the verified drafts (False leaves them in draft: a preview of an open period).
    batch_size: invoices per create and action_post call.
    journals: journal code per service, over the catalog's (default: Odoo's first sales
        journal).
    services: how each service is booked (the catalog's `odoo:` settings; a service not
        given takes the defaults: income account 411200, category and analytic account named
        after the service, Odoo's journal and payment term).
    create_missing_products: create a catalog product missing in Odoo as a service product
        (False: its invoices are held as rejected, naming the product).
    precision: the precision of a dry run (a real run reads Odoo's).
    adjustments_only: post only the adjustments issued for the period (the nightly's), not
        its invoices.
    settle_seconds: after a create whose answer was lost and whose invoices Odoo does not
        show, how long to wait before creating them again: Odoo may still be working on that
        request (its workers are killed after limit_time_real, 120 s by default).
    """

    post: bool = True
    batch_size: int = 50
    settle_seconds: float = 300.0
    journals: Mapping[str, str] = field(default_factory=dict)
    services: Mapping[str, ServiceAccounting] = field(default_factory=dict)
    create_missing_products: bool = True
    precision: Precision = field(default_factory=Precision)
    adjustments_only: bool = False

    def __post_init__(self) -> None:
        if self.batch_size < 1:
            raise ValueError(f"batch size must be at least 1, not {self.batch_size}")

    def booking(self, service: str, service_name: str) -> ServiceAccounting:
        """The service's settings with every name resolved (journal: the override's)."""
        given = self.services.get(service, ServiceAccounting())
        return replace(given, product_category=given.product_category or service_name,
                       analytic_account=given.analytic_account or service_name,
                       journal=self.journals.get(service, given.journal))

    @classmethod
    def for_catalog(cls, catalog: Catalog, **options: Any) -> PostingOptions:
        return cls(services={s.code: s.booking for s in catalog.services}, **options)
