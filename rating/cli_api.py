"""`fusion-rating serve | service | key`: the billing API server and its service records.

    fusion-rating serve --landing DIR --catalog DIR --warehouse FILE [--state DIR]
        [--host 127.0.0.1] [--port 8080]
    fusion-rating service add CODE | list   (--catalog DIR --warehouse FILE [--state DIR])
    fusion-rating key create SERVICE [--label TEXT] | revoke PREFIX | list

A key is printed once, by `key create`, and stored only as its hash (rating.api.keys). Apart
from cli.py because none of these touches the warehouse.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from rating.api.settings import ApiSettings, default_state
from rating.periods import DEFAULT_TIME_ZONE

_Command = Callable[..., argparse.ArgumentParser]


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser],
                 command: _Command) -> None:
    serve = command(commands, "serve", help="serve the billing API the apps call "
                    "(Lago's shapes under /api/billing/v1; OpenAPI at /docs)")
    _places(serve)
    serve.add_argument("--landing", required=True, help="landing root the server writes to")
    serve.add_argument("--time-zone", default=DEFAULT_TIME_ZONE, help="billing time zone")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=int, default=8080, help="port to listen on")
    service = command(commands, "service", help="the services the API serves: add one, list "
                      "them with their keys' prefixes")
    service.add_argument("action", choices=["add", "list"])
    service.add_argument("code", nargs="?", default=None, help="add: the catalog's service code")
    _places(service)
    key = command(commands, "key", help="a service's API keys: create one (printed once), "
                  "revoke one by its prefix, list them")
    key.add_argument("action", choices=["create", "revoke", "list"])
    key.add_argument("name", nargs="?", default=None,
                     help="create: the service code; revoke: the key's prefix (frk_<service>_<id>)")
    key.add_argument("--label", default="", help="create: a note on what the key is for")
    _places(key)


def _places(command: argparse.ArgumentParser) -> None:
    command.add_argument("--catalog", required=True, type=Path,
                         help="catalog folder of YAML files")
    command.add_argument("--warehouse", required=True, type=Path, help="DuckDB warehouse file")
    command.add_argument("--state", type=Path, default=None,
                         help="the API's folder: service records, keys, write-ahead store "
                              "(default: <warehouse>.api beside the warehouse)")


def serve_command(args: argparse.Namespace) -> int:
    from rating.api.server import serve
    from rating.api.wal import StateFolderBusy

    settings = ApiSettings.for_warehouse(Path(args.landing), args.catalog, args.warehouse,
                                         args.state, time_zone=args.time_zone)
    try:
        serve(settings, host=args.host, port=args.port)
    except StateFolderBusy as busy:
        print(f"fusion-rating: {busy}", file=sys.stderr)
        return 1
    return 0


def service_command(args: argparse.Namespace) -> int:
    from rating.api.keys import KeyStore, KeyStoreError

    store = KeyStore(args.state or default_state(args.warehouse))
    if args.action == "list":
        for code, record in sorted(store.services().items()):
            active = [key.prefix for key in record.keys if key.revoked_at is None]
            print(f"{code}: {len(active)} active key(s) {' '.join(active)}".rstrip())
        return 0
    if not args.code:
        print("fusion-rating: service add needs the service's code", file=sys.stderr)
        return 2
    try:
        store.add_service(args.code, _catalog_services(args.catalog))
    except (KeyStoreError, ValueError) as exc:
        print(f"fusion-rating: {exc}", file=sys.stderr)
        return 2
    print(f"service {args.code} added; create its key: fusion-rating key create {args.code}")
    return 0


def key_command(args: argparse.Namespace) -> int:
    from rating.api.keys import KeyStore, KeyStoreError

    store = KeyStore(args.state or default_state(args.warehouse))
    try:
        if args.action == "list":
            for code, record in sorted(store.services().items()):
                for key in record.keys:
                    state = f"revoked {key.revoked_at}" if key.revoked_at else "active"
                    print(f"{key.prefix}  {code}  created {key.created_at}  {state}  "
                          f"{key.label}".rstrip())
            return 0
        if not args.name:
            print(f"fusion-rating: key {args.action} needs a "
                  f"{'service code' if args.action == 'create' else 'key prefix'}",
                  file=sys.stderr)
            return 2
        if args.action == "create":
            print(store.create_key(args.name, args.label))
            print("shown once: store it in the app's secrets now", file=sys.stderr)
        else:
            revoked = store.revoke_key(args.name)
            print(f"key {revoked.prefix} revoked at {revoked.revoked_at}")
    except KeyStoreError as exc:
        print(f"fusion-rating: {exc}", file=sys.stderr)
        return 2
    return 0


def _catalog_services(catalog: Path) -> set[str]:
    from rating.catalog import load_catalog

    return {service.code for service in load_catalog(catalog).services}
