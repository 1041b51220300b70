"""An s3:// landing root: DuckDB's httpfs, the S3 secret from the environment, and one quick
listing that says in a line what failed and what to check when the store cannot be reached.

The settings (docs/rating.md, "S3 landing zone") come from the environment only; their values
are never printed, DuckDB's errors included (they may quote the statement that holds them).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import duckdb

from rating import warehouse

# S3 settings come from the environment only: (secret option, variables in order of precedence).
S3_ENVIRONMENT = (("KEY_ID", ("AWS_ACCESS_KEY_ID",)),
                  ("SECRET", ("AWS_SECRET_ACCESS_KEY",)),
                  ("SESSION_TOKEN", ("AWS_SESSION_TOKEN",)),
                  ("REGION", ("AWS_REGION", "AWS_DEFAULT_REGION")),
                  ("ENDPOINT", ("FUSION_S3_ENDPOINT",)),
                  ("URL_STYLE", ("FUSION_S3_URL_STYLE",)),
                  ("USE_SSL", ("FUSION_S3_USE_SSL",)))
_S3_CHOICES = {"URL_STYLE": ("path", "vhost"), "USE_SSL": ("true", "false")}


def s3_secret_options(environ: Mapping[str, str]) -> dict[str, str]:
    """The S3 secret's options that the environment sets (empty variables count as unset)."""
    options: dict[str, str] = {}
    for option, names in S3_ENVIRONMENT:
        value = next((environ[n] for n in names if environ.get(n)), None)
        if value is None:
            continue
        if option in _S3_CHOICES:
            value = value.strip().lower()
            if value not in _S3_CHOICES[option]:
                raise ValueError(f"{names[0]} must be one of {', '.join(_S3_CHOICES[option])}")
        options[option] = value
    return options


def load_httpfs(con: Any, environ: Mapping[str, str] | None = None) -> None:
    """Load DuckDB's httpfs extension from the pinned wheel, without network access, and
    configure S3 access (an in-memory secret) from the environment's variables, if any."""
    import duckdb_extension_httpfs  # type: ignore[import-untyped]

    package = Path(duckdb_extension_httpfs.__file__).parent
    extension = next(package.rglob("*.duckdb_extension"))
    con.execute(f"INSTALL '{extension.as_posix()}'")
    con.execute("LOAD httpfs")
    options = s3_secret_options(os.environ if environ is None else environ)
    if not options:
        return
    # CREATE SECRET takes no prepared parameters: values are quoted as SQL literals. DuckDB's
    # errors quote the statement, so they are not passed on (the values must never be printed).
    body = ", ".join(f"{option} '{value.replace(chr(39), chr(39) * 2)}'"
                     for option, value in options.items())
    try:
        con.execute(f"CREATE OR REPLACE SECRET fusion_landing (TYPE s3, {body})")
    except duckdb.Error:
        raise RuntimeError("could not create the S3 secret from the AWS_* and FUSION_S3_* "
                           "environment variables (values not shown)") from None


class LandingUnreachable(ValueError):
    """An s3:// landing root that cannot be listed: its store does not answer, refuses the
    credentials, or has no such bucket."""


PROBE_TIMEOUT_SECONDS = 5
"""How long the probe waits for the store (DuckDB's default, 30 s tried four times, would
leave a run silent for two minutes before saying the endpoint does not answer)."""

PROBE_RETRIES = 1
"""One more try after a failed request: a passing blip does not stop a run."""

_ENDPOINT_SETTINGS = "FUSION_S3_ENDPOINT (host:port), FUSION_S3_USE_SSL and FUSION_S3_URL_STYLE"
_CREDENTIALS = ("AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary "
                "credentials), AWS_REGION, and that the key may list the bucket")

# (what DuckDB's error says, what failed, what to check), the first that matches; {} fields
# are filled from the landing root and the probe.
_FAILURES = (
    (r"Could not connect to server",
     "connection refused (nothing accepts connections there, or the host is unreachable)",
     f"that the store is running and {_ENDPOINT_SETTINGS}"),
    (r"Timeout was reached",
     "timed out (no answer within {timeout} s)",
     f"{_ENDPOINT_SETTINGS}, and that this machine may reach the store (firewall, proxy)"),
    (r"resolve host",
     "the endpoint's host name does not resolve",
     f"{_ENDPOINT_SETTINGS} (vhost puts the bucket in the host name)"),
    (r"SSL|TLS|certificate",
     "the TLS (https) connection failed",
     "FUSION_S3_USE_SSL (false for a store that speaks plain http) and FUSION_S3_ENDPOINT"),
    (r"NoSuchBucket",
     "no such bucket {bucket}",
     "the bucket in --landing (or FUSION_LANDING), and that FUSION_S3_ENDPOINT and AWS_REGION "
     "name the store that holds it"),
    (r"HTTP 403|AccessDenied|InvalidAccessKeyId|SignatureDoesNotMatch|InvalidToken",
     "access denied{code}",
     _CREDENTIALS),
    (r"HTTP 301|PermanentRedirect|AuthorizationHeaderMalformed|IllegalLocationConstraint",
     "the bucket is in another region{code}",
     "AWS_REGION (else AWS_DEFAULT_REGION): the bucket's region"),
)
_S3_CODE = re.compile(r"\n\n(?P<code>[A-Z][A-Za-z]+): ")


def probe(con: Any, root: str, environ: Mapping[str, str] | None = None) -> None:
    """List the landing root once, quickly (a prefix that holds nothing: one request, however
    many files the zone holds); `LandingUnreachable` says in a line what failed and what to
    check. The connection keeps DuckDB's patient defaults for the reads that follow."""
    pattern = f"{root.rstrip('/')}/.fusion-rating-probe*"
    con.execute(f"SET http_timeout = {PROBE_TIMEOUT_SECONDS}")
    con.execute(f"SET http_retries = {PROBE_RETRIES}")
    try:
        warehouse.run(con, "ingest/probe_landing_root", {"pattern": pattern}).fetchall()
    except duckdb.Error as exc:
        # The statement is fixed and known good: whatever failed is the store or the settings.
        raise LandingUnreachable(unreachable_message(
            root, str(exc), os.environ if environ is None else environ)) from None
    finally:
        con.execute("RESET http_timeout")
        con.execute("RESET http_retries")


def unreachable_message(root: str, duckdb_error: str, environ: Mapping[str, str]) -> str:
    """One line: the landing root, the endpoint, what failed, what to check (no setting's
    value but the endpoint's)."""
    bucket = root.removeprefix("s3://").split("/", 1)[0]
    found = _S3_CODE.search(duckdb_error)
    fields = {"timeout": PROBE_TIMEOUT_SECONDS, "bucket": bucket,
              "code": f" ({found['code']})" if found else ""}
    what = duckdb_error.strip().splitlines()[0][:300]
    check = f"{_ENDPOINT_SETTINGS}, {_CREDENTIALS}"
    for pattern, failed, advice in _FAILURES:
        if re.search(pattern, duckdb_error):
            what, check = failed.format(**fields), advice
            break
    return (f"cannot list the landing zone {root} at {endpoint(environ)}: {what}; check {check} "
            "(README, docs/rating.md \"S3 landing zone\")")


def endpoint(environ: Mapping[str, str]) -> str:
    """The store the settings point at, as a URL (AWS's own when FUSION_S3_ENDPOINT is unset)."""
    options = s3_secret_options(environ)
    host = options.get("ENDPOINT")
    if host is None:
        return "AWS S3 (FUSION_S3_ENDPOINT unset)"
    scheme = "http" if options.get("USE_SSL") == "false" else "https"
    # user:password@host would be a secret in the endpoint: only the host is shown.
    return f"endpoint {scheme}://{host.rsplit('@', 1)[-1]}"
