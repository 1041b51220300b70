"""Every figure of docs/adjustments.md's worked examples, computed again with the engine's
reference pricing (rating.rate.oracle) and decision (rating.adjust.decide), so the document
cannot drift from the catalog or the rules."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest

from rating.adjust.decide import Issue, KeyDifference, Pending, PeriodState, decide
from rating.catalog import Catalog, Charge, Price, load_catalog
from rating.rate import oracle

pytestmark = pytest.mark.fast

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "adjustments.md"
PERIOD_FIRST_DAY = dt.date(2026, 10, 1)
DAY_US = 86_400_000_000
PERIOD_DAYS = 31  # October 2026 in Toronto: no change of clock within it
NO_LINE = "0.00 (no line)"
DASH = "—"


@dataclass(frozen=True)
class LineRow:
    example: str
    product: str
    model: str
    aggregation: str
    active_days: int
    original_counters: str
    late_counters: str
    line_kind: str
    original_quantity: str
    original_amount: str
    rerated_quantity: str
    rerated_amount: str
    adjustment: str


@dataclass(frozen=True)
class OutcomeRow:
    example: str
    net: str
    document: str


def table_rows(text: str, first_header: str) -> Iterator[list[str]]:
    """The cells of each body row of the Markdown table whose header starts with
    `first_header`."""
    inside = False
    for line in text.splitlines():
        if line.startswith(f"| {first_header} |"):
            inside = True
            continue
        if inside and line.startswith("| ---"):
            continue
        if inside and line.startswith("|"):
            yield [cell.strip() for cell in line.strip("|").split("|")]
        elif inside:
            return


def doc_tables(text: str) -> tuple[list[LineRow], list[OutcomeRow]]:
    lines = [LineRow(example=c[0], product=c[1].strip("`"), model=c[2], aggregation=c[3],
                     active_days=int(c[4]), original_counters=c[5], late_counters=c[6],
                     line_kind=c[7], original_quantity=c[8], original_amount=c[9],
                     rerated_quantity=c[10], rerated_amount=c[11], adjustment=c[12])
             for c in table_rows(text, "# | Charge")]
    outcomes = [OutcomeRow(example=c[0], net=c[1], document=c[2])
                for c in table_rows(text, "# | Net")]
    return lines, outcomes


def counters(cell: str) -> dict[str, str]:
    """`id=value, id=value` in the order of their windows."""
    pairs = (item.split("=") for item in cell.split(", "))
    return {counter: value for counter, value in pairs}


def live_rows(original: dict[str, str], late: dict[str, str]) -> list[str]:
    """The period's live values after the late file: a re-push replaces its counter (one live
    row per counter), a new counter comes after the others."""
    return list({**original, **late}.values())


def aggregate(aggregation: str, values: Sequence[str]) -> Decimal:
    if aggregation == "unique_count":
        return Decimal(len(set(values)))
    numbers = [Decimal(value) for value in values]
    if aggregation == "sum":
        return sum(numbers, Decimal(0))
    if aggregation == "max":
        return max(numbers)
    if aggregation == "last":
        return numbers[-1]
    raise AssertionError(f"no example aggregation {aggregation!r}")


def price_in_force(charge: Charge) -> Price:
    return max((p for p in charge.prices if p.effective_from <= PERIOD_FIRST_DAY),
               key=lambda p: p.effective_from)


def charge_of(catalog: Catalog, product: str) -> Charge:
    (charge,) = [c for c in catalog.charges() if c.product == product]
    return charge


def aggregation_of(catalog: Catalog, charge: Charge) -> str:
    (metric,) = [m for m in catalog.metrics if m.code == charge.metric]
    return metric.aggregation


def quantity_text(quantity: Decimal) -> str:
    return f"{quantity.normalize():,f}"


def money(amount: Decimal) -> str:
    return f"{amount:.2f}"


def signed(amount: Decimal) -> str:
    return f"{amount:+.2f}" if amount else "0.00"


def amounts(price: Price, quantity: Decimal, active_us: int) -> tuple[Decimal, Decimal]:
    """The usage line and the true-up line (0: no line) in cents, as the invoice shows them."""
    priced = oracle.price(price, quantity, active_us, PERIOD_DAYS * DAY_US)
    true_up = oracle.to_cents(oracle.true_up(price, [priced.amount_unrounded], active_us,
                                             PERIOD_DAYS * DAY_US))
    return priced.amount, true_up


def expected_line(catalog: Catalog, row: LineRow) -> LineRow:
    """The row as the engine's rules write it, from its charge, counters and active days."""
    charge = charge_of(catalog, row.product)
    price = price_in_force(charge)
    aggregation = aggregation_of(catalog, charge)
    original = counters(row.original_counters)
    old_quantity = aggregate(aggregation, list(original.values()))
    new_quantity = aggregate(aggregation, live_rows(original, counters(row.late_counters)))
    active_us = row.active_days * DAY_US
    old_usage, old_true_up = amounts(price, old_quantity, active_us)
    new_usage, new_true_up = amounts(price, new_quantity, active_us)
    if row.line_kind == "usage":
        old, new = old_usage, new_usage
        quantities = (quantity_text(old_quantity), quantity_text(new_quantity))
    else:
        old, new = old_true_up, new_true_up
        quantities = (DASH, DASH)
    return LineRow(
        example=row.example, product=row.product, model=price.model, aggregation=aggregation,
        active_days=row.active_days, original_counters=row.original_counters,
        late_counters=row.late_counters, line_kind=row.line_kind,
        original_quantity=quantities[0], original_amount=money(old),
        rerated_quantity=quantities[1],
        rerated_amount=money(new) if new or row.line_kind == "usage" else NO_LINE,
        adjustment=signed(new - old))


def expected_document(example: str, deltas: Sequence[Decimal]) -> OutcomeRow:
    decision = decide(KeyDifference(invoice_key=f"example-{example}", currency="CAD",
                                    deltas=tuple(deltas), original_posted=True,
                                    revisions_issued=0, revisions_posted=True),
                      PeriodState(threshold=Decimal("1.00")))
    net = signed(sum(deltas, Decimal("0.00")))
    if decision is None:
        return OutcomeRow(example, net, "none: no difference")
    if isinstance(decision, Pending):
        carried = " (carried forward)" if decision.why.value == "below_threshold" else ""
        return OutcomeRow(example, net, f"none: {decision.why.value}{carried}")
    assert isinstance(decision, Issue)
    kind = decision.kind.value.replace("_", " ")
    return OutcomeRow(example, net,
                      f"{kind} r{decision.revision} of {money(decision.amount_document)}")


def test_every_figure_of_the_worked_examples_is_the_engines() -> None:
    lines, outcomes = doc_tables(DOC.read_text(encoding="utf-8"))
    catalog = load_catalog(ROOT / "catalog")
    assert lines and outcomes
    for row in lines:
        assert row == expected_line(catalog, row)
    deltas: dict[str, list[Decimal]] = {}
    for row in lines:
        deltas.setdefault(row.example, []).append(Decimal(row.adjustment))
    assert [o.example for o in outcomes] == list(deltas)
    for outcome in outcomes:
        assert outcome == expected_document(outcome.example, deltas[outcome.example])


def test_the_worked_examples_cover_every_charge_model_and_aggregation_asked_for() -> None:
    lines, _ = doc_tables(DOC.read_text(encoding="utf-8"))
    models = {row.model for row in lines}
    assert models >= {"per_unit", "graduated", "volume", "package", "percentage"}
    assert {row.aggregation for row in lines} >= {"sum", "last", "max", "unique_count"}
    assert any(row.line_kind == "minimum_true_up" for row in lines)
    assert any(row.active_days < PERIOD_DAYS for row in lines)
    assert any(re.search(r"\bc1=", row.late_counters) for row in lines)  # a re-push
