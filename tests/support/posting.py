"""A small rated, closed period to post, and ways to talk to the Odoo the tests post to.

`rated_period(root)` writes a landing folder with a handful of customers in several provinces
(and one in the United States), rates 2026-10 and closes it. Each customer has a NexaCloud and
a NexaMaps account, so the period has two invoices per customer; NexaMaps map tiles cost
0.0000125 each, below Odoo's default price precision.
"""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from rating.catalog import load_catalog
from rating.odoo import setup as odoo_setup
from rating.odoo.gateway import Gateway, OdooSettings, connect
from rating.rate.engine import close_period
from tests.support.usage_builder import Landing, rows, usage_row

PERIOD = "2026-10"
CATALOG = Path(__file__).resolve().parents[2] / "catalog"
PROVINCES = (("CA", "ON"), ("CA", "QC"), ("CA", "BC"), ("US", "NY"), ("CA", "ON"),
             ("CA", "NS"))
# (street, city, postal code) per province of PROVINCES.
ADDRESSES = (("100 King St W", "Toronto", "M5X 1A9"), ("1000 Rue De La Gauchetière O",
             "Montréal", "H3B 4W5"), ("200 Burrard St", "Vancouver", "V6C 3L6"),
             ("350 Fifth Ave", "New York", "10118"), ("50 Bay St", "Toronto", "M5J 2X8"),
             ("1800 Argyle St", "Halifax", "B3J 3N8"))


def customers(count: int, prefix: str = "C") -> list[str]:
    return [f"{prefix}{n}" for n in range(1, count + 1)]


def rated_period(root: Path, count: int = 4, prefix: str = "C", close: bool = True,
                 extra_vcpu: int = 0, idle: int = 0) -> Path:
    """Rate (and close) 2026-10 for `count` customers; returns the warehouse file. The last
    `idle` of them have a NexaMaps account and subscription only, and no usage: no invoice."""
    landing = Landing(root / "landing", accounts=False, subscriptions=False)
    accounts, subscriptions, usage = [], [], []
    for n, key in enumerate(customers(count, prefix)):
        country, province = PROVINCES[n % len(PROVINCES)]
        idle_one = n >= count - idle
        for service, plan in (("nexacloud", "cloud-standard"), ("nexamaps", "maps-payg")):
            if idle_one and service == "nexacloud":
                continue  # its minimum would invoice it
            account = f"{service}-{key}"
            accounts.append((service, account, key, f"Customer {key} Inc.",
                             f"billing@{key.lower()}.example.ca", country, province,
                             *ADDRESSES[n % len(ADDRESSES)]))
            subscriptions.append((f"SUB-{account}", service, account, plan, "2025-01-01", ""))
        if idle_one:
            continue
        usage += [
            usage_row("nexacloud", "vcpu_hours", 150 + 37.5 * n + extra_vcpu,
                      account_id=f"nexacloud-{key}"),
            usage_row("nexacloud", "peak_instances", 3 + n, account_id=f"nexacloud-{key}"),
            # 10,000 tiles are included: 1,000,000 + 80,000 n billable at 0.0000125.
            usage_row("nexamaps", "map_tiles", 1_010_000 + 80_000 * n,
                      account_id=f"nexamaps-{key}"),
        ]
    landing.accounts(accounts)
    landing.subscriptions(subscriptions)
    landing.usage(f"batch-{extra_vcpu}.parquet", usage)
    warehouse = root / "warehouse.duckdb"
    landing.rate(warehouse, PERIOD)
    if close:
        close_period(warehouse, PERIOD)
    return warehouse


def move_a_dollar_between_lines(warehouse: Path, key: str) -> None:
    """Change an invoice's rated lines (1.00 from its second line to its first), not its
    total: what only a comparison of lines can see."""
    with duckdb.connect(str(warehouse)) as con:
        for line, delta in ((1, 1), (2, -1)):
            con.execute("UPDATE invoice_lines SET amount = amount + ? WHERE invoice_key = ? "
                        "AND line_number = ?", [delta, key, line])


def rated_totals(warehouse: Path) -> dict[str, Decimal]:
    """Our untaxed total per invoice key."""
    return dict(rows(warehouse, "SELECT invoice_key, sum(amount) FROM invoice_lines "
                                "GROUP BY ALL ORDER BY ALL"))


def apply_setup(gateway: Gateway) -> list[odoo_setup.Step]:
    """What `fusion-rating odoo setup --apply` does for the repository's catalog (never the
    precision, which is the accountant's call); the plan as it stands after."""
    _, steps = odoo_setup.apply(gateway, odoo_setup.Needs.for_catalog(load_catalog(CATALOG)))
    return steps


def set_up(server: Any) -> None:
    """Set the test server up for posting as `fusion-rating odoo setup --apply` does for the
    repository's catalog (once per server; its calls are then forgotten, so that a test counts
    only the posting's)."""
    if getattr(server, "fusion_set_up", False):
        return
    steps = apply_setup(connect(settings_for(server, "json2", set_up_first=False)))
    assert [s.describe() for s in steps if s.status != "ok"] == []
    server.calls.clear()
    server.fusion_set_up = True


def settings_for(server: Any, transport: str, timeout: float = 5.0,
                 set_up_first: bool = True) -> OdooSettings:
    if set_up_first:
        set_up(server)
    return OdooSettings(url=server.url, database=server.db, login=server.login,
                        password=server.password, api_key=server.api_key,
                        transport=transport, timeout=timeout, backoff=0.01)


def gateway_for(server: Any, transport: str, timeout: float = 5.0) -> Gateway:
    return connect(settings_for(server, transport, timeout))


def environment_for(server: Any, transport: str) -> dict[str, str]:
    """The environment a `fusion-rating post` process needs to reach the test server."""
    set_up(server)
    env = dict(os.environ)
    env.update({"ODOO_URL": server.url, "ODOO_DB": server.db, "ODOO_USER": server.login,
                "ODOO_PASSWORD": server.password, "ODOO_API_KEY": server.api_key,
                "ODOO_TRANSPORT": transport, "ODOO_TIMEOUT": "5"})
    return env


def moves(gateway: Gateway, keys: list[str]) -> list[dict[str, Any]]:
    """Odoo's customer invoices under our keys, read through the gateway (any Odoo)."""
    found: list[dict[str, Any]] = gateway.call(
        "account.move", "search_read",
        domain=[["x_fc_billing_key", "in", keys], ["move_type", "=", "out_invoice"]],
        fields=["id", "x_fc_billing_key", "state", "name", "amount_untaxed", "amount_tax",
                "amount_total", "partner_id"], order="id")
    return found


def money(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))
