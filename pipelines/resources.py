"""The rating resource: where the engine reads and writes, configured from the environment.

(No `from __future__ import annotations`: Dagster reads these annotations at run time.)
"""

import datetime as dt
import os
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import dagster as dg

from rating.catalog import Catalog
from rating.ingest.s3 import LandingUnreachable
from rating.odoo.gateway import Gateway, OdooSettings, connect, settings_from_environment
from rating.odoo.posting import PostingOptions
from rating.periods import DEFAULT_TIME_ZONE
from rating.rate.engine import RateRequest
from rating.rate.guard import GuardSettings
from rating.warehouse import WarehouseSettings


@contextmanager
def landing_reachable() -> Iterator[None]:
    """An s3:// landing zone that cannot be reached fails the step with the engine's one line
    (what failed, what to check) instead of a traceback through the engine."""
    try:
        yield
    except LandingUnreachable as exc:
        raise dg.Failure(description=str(exc)) from None


class RatingResource(dg.ConfigurableResource):
    """The landing zone, catalog and warehouse of one deployment."""

    landing: str = "demo/landing"
    """Landing root: a local folder or an s3:// prefix (S3 access from the AWS_* variables)."""
    catalog: str = "catalog"
    """Folder of catalog YAML files."""
    warehouse: str = "demo/warehouse.duckdb"
    """DuckDB warehouse file (one writer at a time: see the duckdb_warehouse pool)."""
    time_zone: str = DEFAULT_TIME_ZONE
    """Billing time zone: billing periods are its calendar months."""
    memory_limit: str | None = None
    """DuckDB memory limit, e.g. '2GB'; above it DuckDB spills to disk."""
    threads: int | None = None
    """DuckDB threads (default: one per core)."""
    ledger: str = ""
    """Ledger folder (default: <warehouse>.ledger beside the warehouse file)."""
    pushed_at_tolerance_hours: float = 24.0
    """How far past its file's ingestion a pushed_at may be before the row is quarantined."""

    def settings(self) -> WarehouseSettings:
        return WarehouseSettings(threads=self.threads, memory_limit=self.memory_limit)

    def request(self, period: str, *, rebuild: bool = False, accept_changes: bool = False,
                max_drop_percent: Decimal = Decimal(5)) -> RateRequest:
        return RateRequest(landing=self.landing, catalog=Path(self.catalog),
                           warehouse=Path(self.warehouse), period=period,
                           time_zone=self.time_zone, settings=self.settings(),
                           ledger=Path(self.ledger) if self.ledger else None,
                           guard=GuardSettings(max_drop_percent=max_drop_percent,
                                               accept_changes=accept_changes),
                           rebuild=rebuild,
                           pushed_at_tolerance=dt.timedelta(
                               hours=self.pushed_at_tolerance_hours))


def rating_resource_from_environment() -> RatingResource:
    """FUSION_LANDING, FUSION_CATALOG, FUSION_WAREHOUSE, FUSION_LEDGER, FUSION_TIME_ZONE,
    FUSION_MEMORY_LIMIT, FUSION_THREADS and FUSION_PUSHED_AT_TOLERANCE_HOURS, each with the
    demo's default."""
    threads = os.getenv("FUSION_THREADS")
    return RatingResource(
        ledger=os.getenv("FUSION_LEDGER", ""),
        pushed_at_tolerance_hours=float(os.getenv("FUSION_PUSHED_AT_TOLERANCE_HOURS", "24")),
        landing=os.getenv("FUSION_LANDING", "demo/landing"),
        catalog=os.getenv("FUSION_CATALOG", "catalog"),
        warehouse=os.getenv("FUSION_WAREHOUSE", "demo/warehouse.duckdb"),
        time_zone=os.getenv("FUSION_TIME_ZONE", DEFAULT_TIME_ZONE),
        memory_limit=os.getenv("FUSION_MEMORY_LIMIT") or None,
        threads=int(threads) if threads else None,
    )


class OdooNotConfigured(Exception):
    """ODOO_URL is set but the rest is missing or wrong: the run that posts stops before
    calling Odoo."""


class OdooResource(dg.ConfigurableResource):
    """The Odoo that invoices are posted to; no URL means a dry run into odoo_outbox.

    Secrets are read from the environment through `dg.EnvVar` (see
    `odoo_resource_from_environment`): the UI shows the variable's name, never its value.
    Whether the settings fit together is checked when a run that posts starts, not when the code
    location loads: a half-set ODOO_* environment stops the posting, never the rating.
    """

    url: str = ""
    """Odoo root URL, e.g. https://nexasystems.odoo.com (ODOO_URL); empty: dry run."""
    database: str = ""
    """Database name (ODOO_DB)."""
    login: str = ""
    """User for the jsonrpc transport (ODOO_USER)."""
    password: str = ""
    """Password or API key for the jsonrpc transport (ODOO_PASSWORD)."""
    api_key: str = ""
    """Bearer API key for the json2 transport (ODOO_API_KEY)."""
    transport: str = "jsonrpc"
    """jsonrpc (odoorpc, /jsonrpc) or json2 (Odoo 19's /json/2 API) (ODOO_TRANSPORT); empty:
    json2 when only an API key is given, jsonrpc otherwise."""
    timeout: float = 30.0
    """Seconds to wait for one Odoo answer (ODOO_TIMEOUT)."""
    batch_size: int = 50
    """Invoices per create and action_post call (FUSION_ODOO_BATCH_SIZE)."""
    journals: dict[str, str] = {}  # noqa: RUF012 (pydantic copies field defaults)
    """Sales journal code per service (FUSION_ODOO_JOURNALS="nexacloud=CLOUD,nexadesk=DESK");
    a service without one goes to Odoo's first sales journal."""
    create_missing_products: bool = True
    """Create a catalog product missing in Odoo as a service product; false holds its
    invoices instead (FUSION_ODOO_CREATE_PRODUCTS=0)."""
    environment_problems: list[str] = []  # noqa: RUF012 (pydantic copies field defaults)
    """What the environment set that is not a number (ODOO_TIMEOUT, FUSION_ODOO_BATCH_SIZE):
    kept to stop the posting run when it starts, since the code location must still load."""

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        self.settings()

    def settings(self) -> "OdooSettings | None":
        """Where Odoo is and how to talk to it; None without a URL (a dry run). Raises
        OdooNotConfigured naming the variables to set (never a secret's value)."""
        if not self.url.strip():
            return None
        problems = [*self.environment_problems]
        if not self.database:
            problems.append("ODOO_DB (the database name) is not set")
        settings = None
        try:
            # The engine's own reading of ODOO_*, fed with this resource's values: one rule
            # for the transport's default and what each transport needs.
            settings = settings_from_environment({
                "ODOO_URL": self.url, "ODOO_DB": self.database, "ODOO_USER": self.login,
                "ODOO_PASSWORD": self.password, "ODOO_API_KEY": self.api_key,
                "ODOO_TRANSPORT": self.transport, "ODOO_TIMEOUT": str(self.timeout)})
        except ValueError as exc:
            problems.append(str(exc))
        if problems or settings is None:
            raise OdooNotConfigured(
                f"ODOO_URL is set, but {'; '.join(problems)}. Set what is missing or wrong in the "
                "code location's environment, or unset ODOO_URL for a dry run into odoo_outbox.")
        return settings

    def gateway(self) -> "Gateway | None":
        settings = self.settings()
        return None if settings is None else connect(settings)

    def options(self, post: bool, catalog: Catalog) -> PostingOptions:
        """Posting options; each service is booked as the catalog's `odoo:` settings say."""
        return PostingOptions.for_catalog(catalog, post=post, batch_size=self.batch_size,
                                          journals=self.journals,
                                          create_missing_products=self.create_missing_products)


def odoo_resource_from_environment() -> OdooResource:
    """The Odoo resource from ODOO_* (secrets as EnvVar) and FUSION_ODOO_*; a dry run when
    ODOO_URL is not set. Nothing is checked here (see `OdooResource.setup_for_execution`)."""
    def env(name: str) -> "str | dg.EnvVar":
        return dg.EnvVar(name) if os.getenv(name) else ""

    journals = dict(item.strip().split("=", 1)
                    for item in os.getenv("FUSION_ODOO_JOURNALS", "").split(",") if "=" in item)
    if not os.getenv("ODOO_URL"):
        return OdooResource(journals=journals)
    problems: list[str] = []
    timeout = _number("ODOO_TIMEOUT", "30", float, problems)
    batch_size = _number("FUSION_ODOO_BATCH_SIZE", "50", int, problems)
    return OdooResource(
        url=dg.EnvVar("ODOO_URL"), database=env("ODOO_DB"), login=env("ODOO_USER"),
        password=env("ODOO_PASSWORD"), api_key=env("ODOO_API_KEY"),
        transport=os.getenv("ODOO_TRANSPORT", ""),
        timeout=timeout, batch_size=int(batch_size), journals=journals,
        create_missing_products=os.getenv("FUSION_ODOO_CREATE_PRODUCTS", "1") != "0",
        environment_problems=problems)


def _number(name: str, default: str, kind: type[float] | type[int],
            problems: list[str]) -> float:
    """The variable as a number, or its default with the problem noted for the run's start."""
    text = os.getenv(name) or default
    try:
        return kind(text)
    except ValueError:
        problems.append(f"{name} is {text!r}, not {'an integer' if kind is int else 'a number'}")
        return kind(default)
