"""`fusion-rating webhooks ...`: the endpoints of each service, their signing secrets, and the
deliveries (docs/webhooks.md).

    fusion-rating webhooks endpoints                          (--warehouse FILE [--state DIR])
    fusion-rating webhooks endpoint add SERVICE URL --secret-env VAR [--description TEXT]
    fusion-rating webhooks endpoint remove ID
    fusion-rating webhooks secret
    fusion-rating webhooks list [--state pending|delivered|failed] [--service S] [--type T]
        [--limit N]
    fusion-rating webhooks retry (EVENT_ID... | --failed) [--endpoint ID]
    fusion-rating webhooks replay (EVENT_ID... | --since TIMESTAMP --service S) [--endpoint ID]
    fusion-rating webhooks deliver [--every SECONDS]

No secret is ever printed but by `secret`, which prints a new one once.
"""

from __future__ import annotations

import argparse
import datetime as dt
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rating.api.settings import default_state

_Command = Callable[..., argparse.ArgumentParser]
ACTIONS = ("endpoints", "endpoint", "secret", "list", "retry", "replay", "deliver")


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser],
                 command: _Command) -> None:
    hooks = command(commands, "webhooks", help="webhooks back to the apps: endpoints, "
                    "secrets, the deliveries (list, retry, replay) and the deliverer")
    actions = hooks.add_subparsers(dest="action", required=True, metavar="ACTION")
    _places(command(actions, "endpoints", help="list the endpoints of every service"))
    endpoint = command(actions, "endpoint", help="add or remove an endpoint")
    endpoint.add_argument("change", choices=["add", "remove"])
    endpoint.add_argument("names", nargs="+", help="add: SERVICE URL; remove: the endpoint's id")
    endpoint.add_argument("--secret-env", default=None,
                          help="add: the environment variable holding its signing secret")
    endpoint.add_argument("--description", default="", help="add: what the endpoint is")
    _places(endpoint)
    command(actions, "secret", help="print a new signing secret (once): set it in the "
            "endpoint's variable and give it to the app")
    listing = command(actions, "list", help="list deliveries, the latest events first")
    listing.add_argument("--state", dest="delivery_state", default=None,
                         choices=["pending", "delivered", "failed"])
    listing.add_argument("--service", default=None)
    listing.add_argument("--type", dest="event_type", default=None)
    listing.add_argument("--limit", type=int, default=50, help="at most this many (1 or more)")
    _places(listing, state_folder=False)  # reads only the warehouse; --state is the state
    retry = command(actions, "retry", help="make failed deliveries pending again, due now")
    retry.add_argument("event_ids", nargs="*", metavar="EVENT_ID")
    retry.add_argument("--failed", action="store_true", help="every failed delivery")
    retry.add_argument("--endpoint", default=None, help="only to this endpoint")
    _places(retry)
    replay = command(actions, "replay", help="send events again with the same webhook-id")
    replay.add_argument("event_ids", nargs="*", metavar="EVENT_ID")
    replay.add_argument("--since", default=None, help="events written from this UTC time on")
    replay.add_argument("--service", default=None, help="with --since: whose events")
    replay.add_argument("--endpoint", default=None, help="only to this endpoint")
    _places(replay)
    deliver = command(actions, "deliver", help="one delivery pass, or one every --every s "
                      "until Ctrl-C or SIGTERM")
    deliver.add_argument("--every", type=float, default=None, metavar="SECONDS")
    _places(deliver)


def _places(command: argparse.ArgumentParser, state_folder: bool = True) -> None:
    command.add_argument("--warehouse", required=True, type=Path, help="DuckDB warehouse file")
    if state_folder:
        command.add_argument("--state", type=Path, default=None,
                             help="the API's folder holding services.json (default: "
                                  "<warehouse>.api beside the warehouse)")


def webhooks_command(args: argparse.Namespace) -> int:
    from rating.api.keys import KeyStoreError
    from rating.warehouse import WarehouseInUse
    from rating.webhooks.endpoints import EndpointError

    try:
        return HANDLERS[args.action](args)
    except (EndpointError, KeyStoreError, WarehouseInUse, _Usage) as exc:
        print(f"fusion-rating: {exc}", file=sys.stderr)
        return 2


class _Usage(ValueError):
    """A command asked in a way it cannot be done (the message names the fix)."""


def _state(args: argparse.Namespace) -> Path:
    return Path(args.state or default_state(args.warehouse))


def _endpoints(args: argparse.Namespace) -> int:
    from rating.webhooks.endpoints import endpoints

    found = endpoints(_state(args))
    if not found:
        print("no endpoint yet: fusion-rating webhooks endpoint add SERVICE URL --secret-env VAR")
    for e in found:
        print(f"{e.endpoint_id}  {e.service}  {e.url}  secret in ${e.secret_env}  "
              f"since {e.created_at:%Y-%m-%d %H:%M:%S}  {e.description}".rstrip())
    return 0


def _endpoint(args: argparse.Namespace) -> int:
    from rating.webhooks.endpoints import add_endpoint, remove_endpoint

    if args.change == "remove":
        if len(args.names) != 1:
            raise _Usage("endpoint remove takes one endpoint id (fusion-rating webhooks "
                         "endpoints lists them)")
        removed = remove_endpoint(_state(args), args.names[0])
        print(f"endpoint {removed.endpoint_id} of {removed.service} removed: its pending "
              "deliveries are no longer sent")
        return 0
    if len(args.names) != 2 or not args.secret_env:
        raise _Usage("endpoint add takes SERVICE URL --secret-env VAR (fusion-rating webhooks "
                     "secret prints a secret for VAR)")
    added = add_endpoint(_state(args), args.names[0], args.names[1], args.secret_env,
                         args.description)
    print(f"endpoint {added.endpoint_id} added for {added.service}: {added.url}, signed with "
          f"${added.secret_env}; it receives the events written from now on")
    return 0


def _secret(args: argparse.Namespace) -> int:
    from rating.webhooks.endpoints import new_secret

    print(new_secret())
    print("shown once: set it in the endpoint's variable (during a rotation, the old and the "
          "new separated by a space) and give it to the app", file=sys.stderr)
    return 0


def _list(args: argparse.Namespace) -> int:
    from rating.webhooks.manage import list_deliveries

    if args.limit < 1:  # checked here, not by argparse: one line and exit 2 like every error
        raise _Usage(f"--limit {args.limit}: give a positive number of deliveries to list")
    rows = list_deliveries(args.warehouse, args.delivery_state, args.service,
                           args.event_type, args.limit)
    for row in rows:
        print(_delivery_line(row))
    if not rows:
        print("no delivery matches (an event gets one per endpoint of its service at the next "
              "delivery pass: fusion-rating webhooks endpoints)")
    return 0


def _delivery_line(row: dict[str, Any]) -> str:
    when = {"delivered": row["delivered_at"], "pending": row["next_attempt_at"],
            "failed": row["last_attempt_at"]}[row["state"]]
    line = (f"{row['event_id']}  #{row['event_seq']}  {row['event_type']}  {row['service']}  "
            f"{row['endpoint_id']}  {row['state']} {when:%Y-%m-%d %H:%M:%S}  "
            f"attempts {row['attempts']}")
    if row["state"] != "delivered" and row["last_error"]:
        line += f"  last: {row['last_error']}"
    return line


def _retry(args: argparse.Namespace) -> int:
    from rating.webhooks.manage import retry

    if not args.event_ids and not args.failed:
        raise _Usage("retry needs event ids or --failed (fusion-rating webhooks list "
                     "--state failed lists them)")
    count = retry(args.warehouse, args.event_ids, args.failed, args.endpoint)
    if not count and args.event_ids:
        raise _Usage(_nothing_matched(args.event_ids, "not delivered"))
    print(f"{count} deliver{'y' if count == 1 else 'ies'} pending again, due now "
          "(fusion-rating webhooks deliver sends them)")
    return 0


def _replay(args: argparse.Namespace) -> int:
    from rating.webhooks.manage import replay

    since = _timestamp(args.since) if args.since else None
    if not args.event_ids and not (since and args.service):
        raise _Usage("replay needs event ids, or --since TIMESTAMP with --service SERVICE")
    count = replay(args.warehouse, _state(args), args.event_ids, since, args.service,
                   args.endpoint)
    if not count:
        asked = args.event_ids or [f"{args.service}'s events since {args.since}"]
        raise _Usage(_nothing_matched(asked, "with an endpoint of its service"))
    print(f"{count} deliver{'y' if count == 1 else 'ies'} to send again with the same "
          "webhook-id (fusion-rating webhooks deliver sends them)")
    return 0


def _nothing_matched(asked: list[str], kind: str) -> str:
    return (f"no delivery {kind} matches {', '.join(asked)}: nothing changed "
            "(fusion-rating webhooks list shows the events and their deliveries)")


def _timestamp(text: str) -> dt.datetime:
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        raise _Usage(f"--since {text!r} is not a timestamp such as 2026-11-30T08:00 "
                     "(UTC unless it names its offset)") from None
    return when if when.tzinfo is None else when.astimezone(dt.UTC).replace(tzinfo=None)


def _deliver(args: argparse.Namespace) -> int:
    from rating.webhooks.delivery import deliver

    if args.every is None:
        print(_report_line(deliver(args.warehouse, _state(args))))
        return 0
    from rating.warehouse import WarehouseInUse

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while not stop.is_set():
            try:
                report = deliver(args.warehouse, _state(args))
            except WarehouseInUse as exc:  # a long reader: the next pass tries again
                print(f"fusion-rating: {exc}", file=sys.stderr, flush=True)
            except Exception as exc:  # logged: the next pass tries again
                print(f"fusion-rating: a delivery pass failed ({type(exc).__name__}: {exc}); "
                      f"the next one in {args.every:g} s tries again", file=sys.stderr,
                      flush=True)
            else:
                if report.sent or report.skipped_busy:
                    print(_report_line(report), flush=True)
            stop.wait(args.every)
    except KeyboardInterrupt:
        pass
    return 0


def _report_line(report: Any) -> str:
    if report.skipped_busy:
        return "another delivery pass is running: nothing done (it delivers what is due)"
    return (f"sent {report.sent}: delivered {report.delivered}, to retry {report.retried}, "
            f"failed {report.failed}; pending {report.pending_left}, failed in all "
            f"{report.failed_total}")


HANDLERS: dict[str, Callable[[argparse.Namespace], int]] = {
    "endpoints": _endpoints, "endpoint": _endpoint, "secret": _secret, "list": _list,
    "retry": _retry, "replay": _replay, "deliver": _deliver,
}
