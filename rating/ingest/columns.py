"""The usage contract's columns, and the projection of one file's columns onto them.

Follows docs/usage-counters.md and docs/rating.md (Reading the files): text
columns as VARCHAR, timestamps as UTC, `value` as DECIMAL(38, 9), each Parquet type through the
one cast that reads it exactly; the flags say which rows could not be read
(rating.ingest.landing splices the projection into sql/ingest/landed_source.sql).
"""

from __future__ import annotations

import re

REQUIRED = ("counter_id", "service", "account_id", "metric", "period_start", "period_end",
            "pushed_at")
OPTIONAL = ("value", "unique_key", "dimensions")
CONTRACT_COLUMNS = REQUIRED + OPTIONAL
TIMESTAMP_COLUMNS = ("period_start", "period_end", "pushed_at")
TEXT_COLUMNS = ("counter_id", "service", "account_id", "metric", "unique_key", "dimensions")
ALL_COLUMNS = ("counter_id", "service", "account_id", "metric", "unique_key", "dimensions",
               "period_start", "period_end", "pushed_at", "value", "value_unparsed",
               "value_too_large", "timestamp_unparsed", "type_detail", "timestamp_detail",
               "value_detail")
DETAIL_COLUMNS = ("type_detail", "timestamp_detail", "value_detail")
"""What the ledger's columns no longer show once a row is projected (the file's column type, the
raw value that did not parse): the `detail` of bad_type, bad_timestamp, not_a_number and
value_out_of_range, in words a person can act on."""
# Parquet's names for DuckDB's integer and binary types, as the apps' writers call them.
_PARQUET_NAMES = {"TINYINT": "INT8", "SMALLINT": "INT16", "INTEGER": "INT32", "BIGINT": "INT64",
                  "UTINYINT": "UINT8", "USMALLINT": "UINT16", "UINTEGER": "UINT32",
                  "UBIGINT": "UINT64", "BLOB": "BINARY (bytes, not UTF-8 text)",
                  "STRUCT": "a nested column", "MAP": "a nested column"}
# Parquet strings: plain, or annotated as JSON (dimensions may well be).
_STRING_TYPES = ("VARCHAR", "JSON")
_WANTS_TIMESTAMP = "the contract wants a timestamp (UTC)"
_EXACT = re.compile(r"^(TINYINT|SMALLINT|INTEGER|BIGINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT)$")
_NUMERIC = re.compile(r"^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|"
                      r"UBIGINT|UHUGEINT|DECIMAL\(\d+,\d+\)|FLOAT|DOUBLE)$")


def projection(types: dict[str, str], columns: tuple[str, ...], hive_param: str) -> str:
    """The SELECT list mapping one file schema onto the canonical usage columns.

    Built only from the contract's column names and fixed casts, never from data values.
    """
    expressions = {
        "counter_id": _text(types, "counter_id", hive_param),
        "service": _text(types, "service", hive_param),
        "account_id": _text(types, "account_id", hive_param),
        "metric": _text(types, "metric", hive_param),
        "unique_key": _text(types, "unique_key", hive_param),
        "dimensions": _text(types, "dimensions", hive_param),
        "period_start": _timestamp(types, "period_start")[0],
        "period_end": _timestamp(types, "period_end")[0],
        "pushed_at": _timestamp(types, "pushed_at")[0],
        "value": _value(types)[0],
        "value_unparsed": _value(types)[1],
        "value_too_large": _value(types)[2],
        "timestamp_unparsed": " OR ".join(
            _timestamp(types, name)[1] for name in TIMESTAMP_COLUMNS),
        "type_detail": _first([_type_detail(types, name) for name in TEXT_COLUMNS]),
        "timestamp_detail": _first([_timestamp_detail(types, name)
                                    for name in TIMESTAMP_COLUMNS]),
        "value_detail": _value_detail(types),
    }
    return ",\n       ".join(f"{expressions[c]} AS {c}" for c in columns)


def type_name(duckdb_type: str) -> str:
    """A column type as a message names it: Parquet's name for integers, else DuckDB's first
    word (a file's schema may hold any text in nested field names: none of it reaches the SQL)."""
    found = re.match(r"[A-Z0-9]+", duckdb_type)
    word = found.group() if found else "UNKNOWN"
    if duckdb_type.endswith("]"):
        word = "STRUCT"  # a list: nested too
    return _PARQUET_NAMES.get(duckdb_type, _PARQUET_NAMES.get(word, word))


def _first(details: list[str]) -> str:
    present = [d for d in details if d != "NULL::VARCHAR"]
    return f"coalesce({', '.join(present)})" if present else "NULL::VARCHAR"


def _example(name: str) -> str:
    """The column's value, cut short, as a message quotes it."""
    return f'left(CAST("{name}" AS VARCHAR), 60)'


def _type_detail(types: dict[str, str], name: str) -> str:
    """bad_type: a text column of another type (an integer account_id would never match a link
    and pass for unknown_account). A null is null_required or allowed, never bad_type."""
    kind = types.get(name)
    if kind is None or kind in _STRING_TYPES:
        return "NULL::VARCHAR"
    return (f"CASE WHEN \"{name}\" IS NOT NULL THEN '{name} is {type_name(kind)} (e.g. ' || "
            f"{_example(name)} || '); the contract wants a string' END")


def _timestamp_detail(types: dict[str, str], name: str) -> str:
    """bad_timestamp: what the column holds instead of a timestamp, with one value."""
    kind = types.get(name)
    unparsed = _timestamp(types, name)[1]
    if kind is None or unparsed == "false":
        return "NULL::VARCHAR"
    example = _example(name)
    if _NUMERIC.match(kind):
        said = (f"'{name} holds epoch numbers, not timestamps ({type_name(kind)}, e.g. ' || "
                f"{example} || '); {_WANTS_TIMESTAMP}'")
    elif kind == "VARCHAR":
        said = (f"CASE WHEN regexp_full_match(trim(\"{name}\"), '-?[0-9]+([.][0-9]*)?') "
                f"THEN '{name} holds epoch numbers as text, not timestamps (e.g. ''' || "
                f"{example} || '''); {_WANTS_TIMESTAMP}' "
                f"ELSE '{name} is ''' || {example} || ''', not a timestamp; "
                f"{_WANTS_TIMESTAMP} (ISO 8601 text is read too)' END")
    elif kind.startswith("TIMESTAMP") or kind == "DATE":
        said = (f"'{name} is ' || {example} || ', beyond the years a timestamp holds; "
                f"{_WANTS_TIMESTAMP}'")
    else:
        said = f"'{name} is {type_name(kind)} (e.g. ' || {example} || '); {_WANTS_TIMESTAMP}'"
    return f"CASE WHEN {unparsed} THEN {said} END"


def _value_detail(types: dict[str, str]) -> str:
    """not_a_number, and a value too large for DECIMAL(38, 9) (value_out_of_range): the value
    as the file holds it, since the ledger keeps NULL for both."""
    kind = types.get("value")
    if kind is None or _EXACT.match(kind):
        return "NULL::VARCHAR"
    _, unparsed, too_large = _value(types)
    example = _example("value")
    if kind.startswith("UNSUPPORTED"):
        not_a_number = (f"'value is {kind.removeprefix('UNSUPPORTED ')}, wider than the 38 "
                        "digits a decimal may have; the contract wants a decimal of at most 38 "
                        "digits, a double or an integer'")
    elif kind == "VARCHAR":
        not_a_number = (f"'value is ''' || {example} || ''', not a number; the contract "
                        "wants a decimal, a double or an integer'")
    elif kind in ("FLOAT", "DOUBLE"):
        not_a_number = f"'value is ' || {example} || ', not a finite number'"
    else:
        not_a_number = (f"'value is {type_name(kind)} (e.g. ' || {example} || '); the contract "
                        "wants a decimal, a double or an integer'")
    return (f"CASE WHEN {unparsed} THEN {not_a_number} WHEN {too_large} THEN 'value is ' || "
            f"{example} || ', too large for a counter (at most 10^15)' END")


def _text(types: dict[str, str], name: str, hive_param: str) -> str:
    if name in types:
        return f'CAST("{name}" AS VARCHAR)'
    return f"${hive_param}" if name == "service" else "NULL::VARCHAR"


def _timestamp(types: dict[str, str], name: str) -> tuple[str, str]:
    """(the UTC timestamp, the flag 'present but unreadable')."""
    kind = types.get(name)
    if kind is None:
        return "NULL::TIMESTAMP", "false"
    # TIMESTAMPTZ holds UTC microseconds: rebuilding the TIMESTAMP from them is exact and
    # about fifty times faster than a CAST, which goes through the time zone library.
    if kind == "TIMESTAMP WITH TIME ZONE":
        return f'make_timestamp(epoch_us("{name}"))', "false"
    if kind.startswith("TIMESTAMP") or kind == "DATE":
        # A date in year 549551 is valid Parquet but no TIMESTAMP: that row, not the run, fails.
        cast = f'TRY_CAST("{name}" AS TIMESTAMP)'
        return cast, f'("{name}" IS NOT NULL AND {cast} IS NULL)'
    cast = f'make_timestamp(epoch_us(TRY_CAST(CAST("{name}" AS VARCHAR) AS TIMESTAMPTZ)))'
    return cast, f'("{name}" IS NOT NULL AND {cast} IS NULL)'


def _value(types: dict[str, str]) -> tuple[str, str, str]:
    """(the value as DECIMAL(38, 9), the flag 'present but not a finite number', the flag 'a
    finite number too large for DECIMAL(38, 9)': value_out_of_range, not not_a_number)."""
    kind = types.get("value")
    if kind is None:
        return "NULL::DECIMAL(38, 9)", "false", "false"
    if _EXACT.match(kind):
        return 'CAST("value" AS DECIMAL(38, 9))', "false", "false"
    if kind.startswith("UNSUPPORTED"):
        return "NULL::DECIMAL(38, 9)", '("value" IS NOT NULL)', "false"
    if kind in ("FLOAT", "DOUBLE"):
        # A binary fraction is read as its shortest round-trip text (what the app wrote:
        # 1e15+1 is 1000000000000001, 0.1 is 0.1), rounded half away from zero to 9 decimals.
        # DuckDB's direct cast multiplies in floating point and is wrong beyond 2^53 / 10^9.
        # Parsing into DECIMAL(18, 9) first is 70 times faster than into DECIMAL(38, 9) and
        # exact below 10^9; larger values take the wide parse. Magnitudes below half a unit of
        # the 9th decimal are 0 (DuckDB parses '5e-324' as 1E-9).
        text = 'CAST(CAST("value" AS DOUBLE) AS VARCHAR)'
        value = (f'CASE WHEN abs(CAST("value" AS DOUBLE)) < 0.0000000005 '
                 f'THEN CAST(0 AS DECIMAL(38, 9)) '
                 f'ELSE coalesce(CAST(TRY_CAST({text} AS DECIMAL(18, 9)) AS DECIMAL(38, 9)), '
                 f'TRY_CAST({text} AS DECIMAL(38, 9))) END')
        finite = 'isfinite(CAST("value" AS DOUBLE))'
        return (value, f'("value" IS NOT NULL AND NOT {finite})',
                f'("value" IS NOT NULL AND {finite} AND abs(CAST("value" AS DOUBLE)) >= 1e29)')
    if _NUMERIC.match(kind):
        # Integers wider than 64 bits and decimals: always numbers, perhaps too large.
        value = 'TRY_CAST("value" AS DECIMAL(38, 9))'
        return value, "false", f'("value" IS NOT NULL AND {value} IS NULL)'
    text = 'TRIM(CAST("value" AS VARCHAR))'
    value = (f'coalesce(CAST(TRY_CAST({text} AS DECIMAL(18, 9)) AS DECIMAL(38, 9)), '
             f'TRY_CAST({text} AS DECIMAL(38, 9)))')
    number = f'isfinite(TRY_CAST({text} AS DOUBLE))'
    return (value, f'("value" IS NOT NULL AND NOT coalesce({number}, false))',
            f'("value" IS NOT NULL AND coalesce({number}, false) AND {value} IS NULL)')
