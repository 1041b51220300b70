"""The Odoo adapter: one small gateway, two wire transports, one retry policy.

The posting code calls `gateway.call(model, method, ids, **named)` and never sees the wire:

- `jsonrpc`: odoorpc over `/jsonrpc` (`execute_kw`), what Odoo 17, 18 and 19 answer. Odoo
  deprecated it in 19.0 and removes it in Odoo 22 (Odoo Online 21.1). `execute_kw` hands its
  arguments to Odoo's `call_kw`, which takes a record method's ids as the first positional
  argument and reads `create`'s first positional argument to shape its answer (`args[0]`): sent
  by name, `vals_list` makes Odoo 17-19 fail with "IndexError: list index out of range". So the
  arguments in `POSITIONAL` go by position, the others by name.
- `json2`: Odoo 19's `POST /json/2/<model>/<method>` with `Authorization: bearer <API key>`,
  `X-Odoo-Database` and every argument by name (`ids` for the records). Switching is the
  `transport` setting.

Two kinds of failure, kept apart because they call for opposite reactions:

- `OdooError`: Odoo answered and refused the call. Odoo runs each call in one transaction, so
  nothing of it was applied; repeating it would fail again.
- `OdooUnreachable`: no answer (refused connection, timeout, dropped connection, HTTP 5xx without
  an Odoo error body). The call may or may not have been applied.

Calls that only read are repeated on `OdooUnreachable` with exponential backoff. Calls that write
are never repeated here: a `create` whose answer was lost may have created the record, so the
caller searches by its idempotency key first (see `rating.odoo.posting`).
"""

from __future__ import annotations

import http.client
import json
import logging
import os
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlsplit

log = logging.getLogger(__name__)

READ_ONLY_METHODS = frozenset({"search", "search_read", "search_count", "read", "fields_get",
                               "context_get", "default_get"})
TRANSPORTS = ("jsonrpc", "json2")
# The parameters each method takes by position over /jsonrpc, after the ids of a record
# method; all others go by name (Odoo's call_kw binds them with Python's rules).
POSITIONAL: dict[str, tuple[str, ...]] = {"create": ("vals_list",)}


class OdooError(RuntimeError):
    """Odoo refused the call; nothing of it was applied.

    name: Odoo's exception type (`odoo.exceptions.ValidationError`, `builtins.IndexError`...)
    or ours (`fusion_rating.*`) for a refusal decided before calling; message: what Odoo said;
    model, method: the call it refused. str() says all of it and what to do.
    """

    def __init__(self, name: str, message: str, model: str = "", method: str = "") -> None:
        self.name = name
        self.message = message
        self.model = model
        self.method = method
        super().__init__(self.describe())

    def describe(self) -> str:
        if self.name.startswith("fusion_rating."):
            return self.message  # decided here, before any call: it says what to do itself
        where = f" {self.model}.{self.method}" if self.model else ""
        said = f"{self.name}: {self.message}" if self.message else self.name
        advice = what_to_do(self.name)
        return f"Odoo refused{where} ({said})" + (f"; {advice}" if advice else "")


def what_to_do(error_name: str) -> str:
    """The next step for a kind of refusal (empty for our own, which say it themselves)."""
    short = error_name.rsplit(".", 1)[-1]
    if error_name.startswith("fusion_rating."):
        return ""
    if short in ("AccessDenied", "Unauthorized"):
        return ("check ODOO_DB and ODOO_USER/ODOO_PASSWORD (jsonrpc) or ODOO_API_KEY (json2), "
                "then run again")
    if short == "AccessError":
        return ("the Odoo user lacks a right: give it the group Odoo names (posting needs "
                "Invoicing; `fusion-rating odoo setup --apply` an administrator), then run again")
    if short in ("ValidationError", "UserError", "MissingError", "RedirectWarning"):
        return ("fix what Odoo names (in Odoo, the catalog or the account links), then run "
                "`fusion-rating post` again; the other invoices are not held by this one")
    if short == "NotFound":
        return ("the model or method is not on this Odoo: check ODOO_URL and that the modules "
                "Invoicing (account) and the chart are installed (`fusion-rating odoo setup`)")
    if error_name.startswith("builtins."):
        return ("Odoo could not take the call's arguments, so this Odoo speaks another call "
                "shape than the one sent: report it with this message and the Odoo version "
                "(the json2 transport, ODOO_TRANSPORT=json2, is the other way in on Odoo 19)")
    return "see Odoo's log for the full error, then run again"


class OdooUnreachable(RuntimeError):
    """No usable answer from Odoo: the call may or may not have been applied."""


@dataclass(frozen=True)
class OdooSettings:
    """Where Odoo is and how to talk to it. Secrets never appear in repr() or logs.

    url: the server's root, e.g. https://nexasystems.odoo.com or http://127.0.0.1:8069.
    database: the database name (sent as X-Odoo-Database with json2).
    login, password: the user for `jsonrpc` (an API key also works as the password).
    api_key: the bearer key for `json2`.
    transport: "jsonrpc" (odoorpc) or "json2".
    timeout: seconds to wait for one answer.
    attempts: tries of a read-only call before giving up (1 = no retry).
    backoff: seconds before the first retry, doubled at each retry.
    """

    url: str
    database: str
    login: str = ""
    password: str = field(default="", repr=False)
    api_key: str = field(default="", repr=False)
    transport: str = "jsonrpc"
    timeout: float = 30.0
    attempts: int = 4
    backoff: float = 0.5

    @property
    def shown_url(self) -> str:
        """The URL as messages show it: a user or password written into it left out."""
        parts = urlsplit(self.url)
        if "@" not in parts.netloc:
            return self.url
        return parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]).geturl()

    def __post_init__(self) -> None:
        if self.transport not in TRANSPORTS:
            raise ValueError(f"Odoo transport must be one of {', '.join(TRANSPORTS)}, "
                             f"not {self.transport!r}")
        parts = urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"Odoo URL must be http(s)://host[:port], not {self.shown_url!r}")
        if self.transport == "json2" and not self.api_key:
            raise ValueError("the json2 transport needs an API key (ODOO_API_KEY)")
        if self.transport == "jsonrpc" and not (self.login and self.password):
            raise ValueError("the jsonrpc transport needs a login and a password "
                             "(ODOO_USER, ODOO_PASSWORD)")


class Transport(Protocol):
    """One Odoo call over the wire; raises OdooError or OdooUnreachable."""

    def call(self, model: str, method: str, ids: list[int] | None,
             params: dict[str, Any]) -> Any: ...

    def server_version(self) -> str: ...


class Gateway:
    """What the posting code talks to: calls by name, with the retry policy applied."""

    def __init__(self, transport: Transport, attempts: int = 4, backoff: float = 0.5,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.transport = transport
        self.attempts = max(1, attempts)
        self.backoff = backoff
        self.sleep = sleep
        self.calls = 0
        self.seconds = 0.0  # spent waiting on Odoo

    def call(self, model: str, method: str, ids: list[int] | None = None,
             **params: Any) -> Any:
        """Call `model.method(ids, **params)`; read-only calls are retried when unreachable."""
        tries = self.attempts if method in READ_ONLY_METHODS else 1
        delay = self.backoff
        for attempt in range(1, tries + 1):
            self.calls += 1
            started = time.perf_counter()
            try:
                return self.transport.call(model, method, ids, params)
            except OdooUnreachable as exc:
                if attempt == tries:
                    raise
                log.warning("Odoo unreachable on %s.%s (%s); retry %d of %d in %.1f s",
                            model, method, exc, attempt, tries - 1, delay)
                self.sleep(delay)
                delay *= 2
            finally:
                self.seconds += time.perf_counter() - started
        raise AssertionError("unreachable")  # the loop returns or raises

    def server_version(self) -> str:
        return self.transport.server_version()


def connect(settings: OdooSettings) -> Gateway:
    """A gateway over the configured transport (nothing is sent until the first call)."""
    transport: Transport
    if settings.transport == "json2":
        transport = Json2Transport(settings)
    else:
        transport = JsonRpcTransport(settings)
    return Gateway(transport, settings.attempts, settings.backoff)


# Everything that means "no usable answer": the call's outcome is unknown.
_NETWORK_ERRORS: tuple[type[BaseException], ...] = (
    urllib.error.URLError, http.client.HTTPException, ConnectionError, TimeoutError,
    socket.timeout, json.JSONDecodeError)


class JsonRpcTransport:
    """odoorpc over /jsonrpc; logs in on the first call (and again after a lost session)."""

    def __init__(self, settings: OdooSettings) -> None:
        self.settings = settings
        self._odoo: Any = None

    def _session(self) -> Any:
        if self._odoo is not None:
            return self._odoo
        import odoorpc  # lazy: odoorpc is only needed when posting for real

        # odoorpc logs each /jsonrpc request at DEBUG, password included (it masks it only
        # for /web/session/authenticate): never let a DEBUG root logger print it.
        logging.getLogger("odoorpc").setLevel(logging.INFO)

        parts = urlsplit(self.settings.url)
        secure = parts.scheme == "https"
        try:
            odoo = odoorpc.ODOO(parts.hostname, protocol="jsonrpc+ssl" if secure else "jsonrpc",
                                port=parts.port or (443 if secure else 80),
                                timeout=self.settings.timeout)
            odoo.login(self.settings.database, self.settings.login, self.settings.password)
        except odoorpc.error.RPCError as exc:
            raise _rpc_error(exc, "res.users", "login") from None
        except odoorpc.error.InternalError as exc:
            raise OdooUnreachable(f"odoorpc: {exc}") from None
        except _NETWORK_ERRORS as exc:
            raise OdooUnreachable(_describe(exc)) from None
        self._odoo = odoo
        return odoo

    def call(self, model: str, method: str, ids: list[int] | None,
             params: dict[str, Any]) -> Any:
        import odoorpc

        odoo = self._session()
        args, named = positional_call(method, ids, params)
        try:
            return odoo.execute_kw(model, method, args, named)
        except odoorpc.error.RPCError as exc:
            raise _rpc_error(exc, model, method) from None
        except _NETWORK_ERRORS as exc:
            raise OdooUnreachable(_describe(exc)) from None

    def server_version(self) -> str:
        return str(self._session().version)


def positional_call(method: str, ids: list[int] | None, params: dict[str, Any]
                    ) -> tuple[list[Any], dict[str, Any]]:
    """execute_kw's (args, kwargs) for a call: the ids first (record methods), then the
    method's POSITIONAL parameters, the rest by name."""
    args: list[Any] = [ids] if ids is not None else []
    named = dict(params)
    for name in POSITIONAL.get(method, ()):
        if name not in named:
            break
        args.append(named.pop(name))
    return args, named


def _rpc_error(exc: Any, model: str, method: str) -> OdooError:
    info = exc.info if isinstance(getattr(exc, "info", None), dict) else {}
    data = info.get("data") or {}
    name = data.get("name") or "odoo.exceptions.AccessDenied"
    message = data.get("message") or str(exc)
    return OdooError(name, message, model, method)


class Json2Transport:
    """Odoo 19's JSON-2 API: one POST per call, named arguments, a bearer API key."""

    def __init__(self, settings: OdooSettings) -> None:
        self.settings = settings
        self.root = settings.url.rstrip("/")

    def call(self, model: str, method: str, ids: list[int] | None,
             params: dict[str, Any]) -> Any:
        body = dict(params)
        if ids is not None:
            body["ids"] = ids
        request = urllib.request.Request(
            f"{self.root}/json/2/{model}/{method}", data=json.dumps(body).encode("utf-8"),
            method="POST", headers={
                "Authorization": f"bearer {self.settings.api_key}",
                "X-Odoo-Database": self.settings.database,
                "Content-Type": "application/json; charset=utf-8",
                "User-Agent": "fusion-rating",
            })
        return self._send(request, model, method)

    def server_version(self) -> str:
        answer = self._send(urllib.request.Request(f"{self.root}/web/version"))
        return str(answer.get("version", "")) if isinstance(answer, dict) else ""

    def _send(self, request: urllib.request.Request, model: str = "", method: str = "") -> Any:
        try:
            with urllib.request.urlopen(request, timeout=self.settings.timeout) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as exc:
            error = _json2_error(exc, model, method)
            if error is None and exc.code == 404:
                # No route: Odoo serves no database of that name here (nothing was applied).
                raise OdooError("werkzeug.exceptions.NotFound",
                                f"{request.full_url} answered 404 without an Odoo error: no "
                                f"database {self.settings.database!r} at this URL (check "
                                "ODOO_URL and ODOO_DB)", model, method) from None
            if error is None:
                raise OdooUnreachable(f"HTTP {exc.code} without an Odoo error body") from None
            raise error from None
        except _NETWORK_ERRORS as exc:
            raise OdooUnreachable(_describe(exc)) from None


def _json2_error(exc: urllib.error.HTTPError, model: str, method: str) -> OdooError | None:
    """Odoo's error object ({name, message, ...}); None when the body is not one (a proxy's
    502 page, a crash): then the outcome is unknown."""
    try:
        body = json.loads(exc.read())
    except (ValueError, OSError, http.client.HTTPException):
        return None
    if not isinstance(body, dict) or "name" not in body:
        return None
    return OdooError(str(body["name"]), str(body.get("message", "")), model, method)


def _describe(exc: BaseException) -> str:
    reason = getattr(exc, "reason", None)
    return f"{type(exc).__name__}: {reason if reason is not None else exc}"[:300]


ENVIRONMENT = ("ODOO_URL", "ODOO_DB", "ODOO_USER", "ODOO_PASSWORD", "ODOO_API_KEY",
               "ODOO_TRANSPORT", "ODOO_TIMEOUT")


def settings_from_environment(environ: dict[str, str] | None = None) -> OdooSettings | None:
    """ODOO_URL, ODOO_DB, ODOO_USER, ODOO_PASSWORD (jsonrpc) or ODOO_API_KEY (json2),
    ODOO_TRANSPORT (default jsonrpc; json2 when only an API key is given) and ODOO_TIMEOUT;
    None without ODOO_URL (a dry run)."""
    env = dict(os.environ if environ is None else environ)
    url = env.get("ODOO_URL", "").strip()
    if not url:
        return None
    api_key = env.get("ODOO_API_KEY", "")
    password = env.get("ODOO_PASSWORD", "")
    default_transport = "json2" if api_key and not password else "jsonrpc"
    return OdooSettings(url=url, database=env.get("ODOO_DB", ""),
                        login=env.get("ODOO_USER", ""), password=password, api_key=api_key,
                        transport=env.get("ODOO_TRANSPORT", "") or default_transport,
                        timeout=float(env.get("ODOO_TIMEOUT", "") or 30))
