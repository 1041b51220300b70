"""`fusion-rating odoo setup|invoice|payments`: what the Odoo named by ODOO_URL has and needs,
one invoice as Odoo holds it, and the payment states of the posted invoices not yet paid (the
only one that writes the warehouse)."""

from __future__ import annotations

import argparse
import sys

from rating.catalog import load_catalog


def odoo_command(args: argparse.Namespace) -> int:
    if args.action == "payments":
        return _payments(args)
    return _invoice(args) if args.action == "invoice" else _setup(args)


def _payments(args: argparse.Namespace) -> int:
    from rating.odoo import gateway as odoo
    from rating.webhooks.payments import poll_payments

    settings = odoo.settings_from_environment()
    if settings is None or args.warehouse is None:
        print("fusion-rating: nothing read: give --warehouse and set ODOO_URL (and its "
              "credentials)", file=sys.stderr)
        return 2
    try:
        report = poll_payments(args.warehouse, odoo.connect(settings))
    except (odoo.OdooError, odoo.OdooUnreachable) as exc:
        print(f"fusion-rating: {exc} (the batches read before are recorded; run again)",
              file=sys.stderr)
        return 3
    print(f"Odoo {settings.shown_url}: {report.checked:,} invoices read, {report.changed:,} "
          f"payment states changed, {report.events:,} webhook events written, "
          f"{report.final:,} now paid or reversed (not read again)")
    return 0


def _invoice(args: argparse.Namespace) -> int:
    from rating.odoo import gateway as odoo
    from rating.odoo.view import invoice_text

    settings = odoo.settings_from_environment()
    if settings is None or not args.key:
        print("fusion-rating: nothing shown: give the invoice's key and set ODOO_URL (and its "
              "credentials)", file=sys.stderr)
        return 2
    try:
        print(invoice_text(odoo.connect(settings), args.key))
    except (odoo.OdooError, odoo.OdooUnreachable) as exc:
        print(f"fusion-rating: {exc}", file=sys.stderr)
        return 3
    return 0


def _setup(args: argparse.Namespace) -> int:
    from rating.odoo import gateway as odoo
    from rating.odoo import setup as odoo_setup

    try:
        catalog = load_catalog(args.catalog)
        settings = odoo.settings_from_environment()
    except ValueError as exc:
        print(f"fusion-rating: nothing checked: {exc}", file=sys.stderr)
        return 2
    if settings is None:
        print("fusion-rating: nothing checked: set ODOO_URL (and ODOO_DB, ODOO_USER, "
              "ODOO_PASSWORD or ODOO_API_KEY) to the Odoo to set up", file=sys.stderr)
        return 2
    needs = odoo_setup.Needs.for_catalog(catalog, args.language or ["fr_CA"],
                                         args.price_digits, args.quantity_digits)
    gateway = odoo.connect(settings)
    try:
        if args.apply:
            done, steps = odoo_setup.apply(gateway, needs)
        else:
            done, steps = [], odoo_setup.plan(gateway, needs)
    except (odoo.OdooError, odoo.OdooUnreachable) as exc:
        print(f"fusion-rating: {exc}", file=sys.stderr)
        return 3
    for step in done:
        print(f"  {step.detail:>12}  {step.kind}: {step.name}")
    outcome = "after --apply" if args.apply else "dry run: nothing changed"
    print(f"Odoo {settings.shown_url} ({outcome}):")
    for step in steps:
        print(f"  {step.describe()}")
    pending = [s for s in steps if s.status in ("create", "change")]
    missing = [s for s in steps if s.status == "missing"]
    if pending:
        print(f"{len(pending)} change(s) to make: run again with --apply")
    if args.price_digits is None:
        print(f"(the catalog's most precise price needs {odoo_setup.price_digits_for(catalog)} "
              "'Product Price' digits for its lines to carry their quantity at that price: "
              "--price-digits N raises it, for every price in Odoo)")
    if missing:
        print(f"{len(missing)} thing(s) setup cannot create (an accountant's choice): see "
              "MISSING above", file=sys.stderr)
    # 0 when posting can start: everything it requires is there.
    return 1 if odoo_setup.blocking(steps) else 0
