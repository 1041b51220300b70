"""Usage counters from a request: the contract's structural checks (docs/usage-counters.md),
answered at once, and Lago's events mapped to counters.

A counter is kept as a `Row` tuple: timestamps as UTC microseconds, the value as a Decimal of at
most 9 decimals (the ledger's DECIMAL(38, 9); more decimals are rounded half away from zero, as
the ingest rounds a file's value), dimensions as compact JSON text. JSON is parsed with
`parse_float=Decimal`: a value is never a float.

What the reference data decides (the account's link, a subscription for the period) stays with
rating; only what the counter itself and the catalog say is checked here. Each problem is the
ingest's reason code, per item (its index) and field, in Lago's `error_details`.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from rating.catalog import Catalog, Metric
from rating.ingest.usage import PUSHED_AT_TOLERANCE
from rating.periods import FIRST_PERIOD, LAST_PERIOD, billing_period, period_code

Row = tuple[str, str, str, int, int, Decimal | None, str | None, str | None, int]
"""counter_id, account_id, metric, period_start, period_end (µs), value, unique_key,
dimensions, pushed_at (µs)."""
Details = dict[str, dict[str, list[str]]]

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_NINE = Decimal("1E-9")
MAX_VALUE = Decimal(10) ** 15
"""Above this a counter is a unit mix-up; the ingest quarantines it (value_out_of_range)."""
EARLIEST_US = -2_208_988_800_000_000   # 1900-01-01
LATEST_US = 32_503_680_000_000_000     # 3000-01-01
RESERVED_PREFIX = "evt:"
"""Events' counter_ids start so (rating.api.events); a /usage counter_id may not."""
_TOLERANCE_US = int(PUSHED_AT_TOLERANCE.total_seconds()) * 1_000_000


class Refused(ValueError):
    """A field that breaks the contract: the reason code."""


def parse_json(body: bytes) -> Any:
    """The request's JSON, numbers exact: decimals and NaN/Infinity as Decimal, never float."""
    return json.loads(body, parse_float=Decimal, parse_constant=Decimal)


def now_us() -> int:
    return (dt.datetime.now(dt.UTC) - EPOCH) // dt.timedelta(microseconds=1)


@functools.lru_cache(maxsize=8192)
def iso(us: int) -> str:
    """UTC microseconds as ISO 8601 with Z (Lago writes timestamps so)."""
    return (EPOCH + dt.timedelta(microseconds=us)).isoformat().replace("+00:00", "Z")


def timestamp_us(text: Any) -> int:
    """An ISO 8601 timestamp (no zone: UTC) as UTC microseconds."""
    if text is None:
        raise Refused("null_required")
    if not isinstance(text, str):
        raise Refused("bad_timestamp")
    return _parsed_us(text)


@functools.lru_cache(maxsize=16384)
def _parsed_us(text: str) -> int:
    """Cached: the counters of a batch mostly share their window and pushed_at."""
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise Refused("bad_timestamp") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    micros = (moment - EPOCH) // dt.timedelta(microseconds=1)
    # Far from any billing period, and near datetime's limits the time zone arithmetic of
    # the period check would overflow.
    if not EARLIEST_US <= micros < LATEST_US:
        raise Refused("bad_timestamp")
    return micros


def number(value: Any) -> Decimal:
    """A JSON number or a decimal string, finite, exact to 9 decimals."""
    if isinstance(value, bool) or not isinstance(value, (int, Decimal, str)):
        raise Refused("not_a_number")
    try:
        exact = Decimal(value.strip()) if isinstance(value, str) else Decimal(value)
    except InvalidOperation:
        raise Refused("not_a_number") from None
    if not exact.is_finite():
        raise Refused("not_a_number")
    if exact < 0:
        raise Refused("negative_value")
    if exact > MAX_VALUE:
        raise Refused("value_out_of_range")
    return exact.quantize(_NINE, rounding=ROUND_HALF_UP)


_COMPACT = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
_dimension_texts: dict[Any, str] = {}


def dimensions_text(value: Any) -> str | None:
    """A JSON object of string to string (or its JSON text) as compact JSON text."""
    if value is None:
        return None
    if isinstance(value, dict) and len(value) <= 4:
        # Counters mostly repeat a few dimension sets: each one is checked and written once.
        key = tuple(value.items())
        try:
            return _dimension_texts[key]
        except (KeyError, TypeError):
            pass
        found = _dimensions_text(value)
        if found is not None and len(_dimension_texts) < 65536:
            _dimension_texts[key] = found   # its values are strings: hashable
        return found
    return _dimensions_text(value)


def _dimensions_text(value: Any) -> str | None:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise Refused("bad_dimensions_json") from None
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise Refused("bad_dimensions_json")
    return _COMPACT(value)


def text(value: Any, required: bool = True) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise Refused("null_required")
        return None
    if not isinstance(value, str):
        raise Refused("bad_type")
    return value


def own_counter_id(value: Any) -> str | None:
    """A /usage counter_id: never in the events' namespace (RESERVED_PREFIX)."""
    found = text(value)
    if found is not None and found.startswith(RESERVED_PREFIX):
        raise Refused("reserved_counter_id")
    return found


@dataclass
class Checker:
    """The checks of one catalog and billing time zone."""

    catalog: Catalog
    time_zone: str

    def __post_init__(self) -> None:
        self.metrics: dict[tuple[str, str], Metric] = {
            (m.service, m.code): m for m in self.catalog.metrics}
        self._zone = ZoneInfo(self.time_zone)
        self._period_ends: dict[str, int] = {}
        self._ends_by_start: dict[int, int] = {}
        first, last = (billing_period(code, self.time_zone) for code in (FIRST_PERIOD,
                                                                           LAST_PERIOD))
        self.first_us, self.last_us = _utc_us(first.start), _utc_us(last.end)

    def in_periods(self, start_us: int) -> bool:
        """Whether the ingest has a billing period for a window starting then."""
        return self.first_us <= start_us < self.last_us

    def period_end_us(self, start_us: int) -> int:
        """The end (UTC µs) of the billing period holding `start_us`."""
        found = self._ends_by_start.get(start_us)
        if found is None:
            if len(self._ends_by_start) > 65536:
                self._ends_by_start.clear()
            found = self._ends_by_start[start_us] = self._period_end_us(start_us)
        return found

    def _period_end_us(self, start_us: int) -> int:
        local = (EPOCH + dt.timedelta(microseconds=start_us)).astimezone(self._zone)
        code = period_code(local.date())
        end = self._period_ends.get(code)
        if end is None:
            period = billing_period(code, self.time_zone)
            end = self._period_ends[code] = _utc_us(period.end)
        return end

    def metric(self, service: str, code: Any) -> Metric:
        found = self.metrics.get((service, text(code) or ""))
        if found is None:
            raise Refused("unknown_metric")
        return found

    def window(self, start: int, end: int, problems: dict[str, list[str]]) -> None:
        if not self.in_periods(start):
            problems["period_start"] = ["outside_billing_periods"]
        elif end <= start:
            problems["period_end"] = ["bad_window"]
        elif end > self.period_end_us(start):
            problems["period_end"] = ["window_crosses_period"]

    def counters(self, service: str, items: list[Any], received: int) -> tuple[
            list[Row], Details]:
        """POST /usage: each item checked against the contract; problems by index."""
        rows: list[Row] = []
        details: Details = {}
        for index, item in enumerate(items):
            try:
                rows.append(self._good_counter(service, item, received))
                continue
            except (Refused, AttributeError):
                pass
            problems: dict[str, list[str]] = {}
            row = self._counter(service, item, received, problems)
            if problems:
                details[str(index)] = problems
            elif row is not None:  # pragma: no cover (the fast path takes every good item)
                rows.append(row)
        return rows, details

    def _good_counter(self, service: str, item: dict[str, Any], received: int) -> Row:
        """The row of a good counter, on one straight path (most are good); any problem
        raises, and _counter then says every problem of the item."""
        get = item.get
        counter_id, account_id = own_counter_id(get("counter_id")), text(get("account_id"))
        metric = self.metric(service, get("metric"))
        start, end = timestamp_us(get("period_start")), timestamp_us(get("period_end"))
        pushed = timestamp_us(get("pushed_at"))
        unique_key = text(get("unique_key"), required=False)
        raw_value = get("value")
        if metric.aggregation == "unique_count":
            if unique_key is None:
                raise Refused("null_required")
            value = None if raw_value is None else number(raw_value)
        else:
            value = number(_required(raw_value))
        if not self.in_periods(start) or end <= start or end > self.period_end_us(start) \
                or pushed > received + _TOLERANCE_US:
            raise Refused("window")
        assert counter_id is not None and account_id is not None
        return (counter_id, account_id, metric.code, start, end, value, unique_key,
                dimensions_text(get("dimensions")), pushed)

    def _counter(self, service: str, item: Any, received: int,
                 problems: dict[str, list[str]]) -> Row | None:
        if not isinstance(item, dict):
            problems["counter"] = ["not_an_object"]
            return None
        got = _Fields(item, problems)
        counter_id = got.take("counter_id", own_counter_id)
        account_id = got.take("account_id", text)
        metric = got.take("metric", lambda code: self.metric(service, code))
        start = got.take("period_start", timestamp_us)
        end = got.take("period_end", timestamp_us)
        pushed = got.take("pushed_at", timestamp_us)
        unique_key = got.take("unique_key", lambda v: text(v, required=False))
        dimensions = got.take("dimensions", dimensions_text)
        unique = metric is not None and metric.aggregation == "unique_count"
        raw_value = item.get("value")
        value = None if unique and raw_value is None else got.take(
            "value", lambda v: number(_required(v)))
        if unique and unique_key is None and "unique_key" not in problems:
            problems["unique_key"] = ["null_required"]
        if start is not None and end is not None:
            self.window(start, end, problems)
        if pushed is not None and pushed > received + _TOLERANCE_US:
            problems["pushed_at"] = ["pushed_at_in_future"]
        if problems:
            return None
        assert None not in (counter_id, account_id, metric, start, end, pushed)
        return (counter_id, account_id, metric.code, start, end, value, unique_key, dimensions,
                pushed)


def _utc_us(naive_utc: dt.datetime) -> int:
    return (naive_utc.replace(tzinfo=dt.UTC) - EPOCH) // dt.timedelta(microseconds=1)


def _required(value: Any) -> Any:
    if value is None:
        raise Refused("null_required")
    return value


class _Fields:
    """Each field of one item through its check; a refusal is noted under the field's name."""

    def __init__(self, item: dict[str, Any], problems: dict[str, list[str]]) -> None:
        self.item, self.problems = item, problems

    def take(self, name: str, check: Callable[[Any], Any]) -> Any:
        try:
            return check(self.item.get(name))
        except Refused as refused:
            self.problems[name] = [str(refused)]
            return None
