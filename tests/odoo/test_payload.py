"""The Odoo line strategy: every posted line gives back its rated amount at Odoo's precision."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rating.catalog import ServiceAccounting
from rating.odoo.payload import (
    Customer,
    InvoiceDocument,
    NotPostable,
    Precision,
    RatedLine,
    Tier,
    build_document,
    line_name,
    odoo_line,
)

pytestmark = pytest.mark.fast
D = Decimal


def line(amount: str, units: str, quantity: str | None = None, **kw: object) -> RatedLine:
    return RatedLine(product_code="P", description="Thing (October 2026): x",
                     quantity=D(quantity or units), billable_units=D(units), amount=D(amount),
                     **kw)  # type: ignore[arg-type]


def odoo_round(value: Decimal, digits: int) -> Decimal:
    """What Odoo stores for a price or quantity (float_round, half-up)."""
    return value.quantize(D(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def test_whole_units_at_an_exact_price_keep_the_real_quantity() -> None:
    posted = odoo_line(line("285.00", "15"), Precision())
    assert (posted.quantity, posted.price_unit, posted.subtotal) == (D(15), D(19), D("285.00"))


def test_a_price_below_odoos_precision_is_posted_as_one_unit_at_the_amount() -> None:
    # 1,000,000 tiles at 0.0000125 = 12.50: Odoo would store the price as 0.00.
    posted = odoo_line(line("12.50", "1000000"), Precision())
    assert (posted.quantity, posted.price_unit) == (D(1), D("12.50"))
    # With 7 price digits, the real quantity and price survive.
    exact = odoo_line(line("12.50", "1000000"), Precision(price_digits=7))
    assert (exact.quantity, exact.price_unit) == (D(1000000), D("0.0000125"))


def test_units_charged_in_one_tier_keep_the_catalogs_price_when_their_product_is_the_amount(
        ) -> None:
    # 1,010,000 tiles, 10,000 free: 1,000,000 at 0.0000125 = 12.50 exactly.
    tiles = line("12.50", "1010000", model="graduated", unit="tiles",
                 tiers=(Tier(1, D(10000), D(0), D(0)), Tier(2, D(1000000), D("0.0000125"), D(0))))
    posted = odoo_line(tiles, Precision(price_digits=7))
    assert (posted.quantity, posted.price_unit, posted.uom) == (D(1000000), D("0.0000125"),
                                                                "tiles")
    # At 2 price digits the price does not survive: one unit at the amount.
    assert odoo_line(tiles, Precision()).quantity == D(1)


def test_a_tier_rounded_to_the_cent_keeps_its_units_only_where_odoo_rounds_per_line() -> None:
    # 9,614,207 tiles at 0.0000125 = 120.1775875, rated 120.18. Rounding globally (ca_2023's
    # default), Odoo sums the unrounded 120.1775875 with the invoice's other lines.
    tiles = line("120.18", "9624207", model="graduated", unit="tiles",
                 tiers=(Tier(1, D(10000), D(0), D(0)), Tier(2, D(9614207), D("0.0000125"), D(0))))
    per_line = odoo_line(tiles, Precision(price_digits=7, rounds_per_line=True))
    assert (per_line.quantity, per_line.price_unit, per_line.subtotal) == (
        D(9614207), D("0.0000125"), D("120.18"))
    assert odoo_line(tiles, Precision(price_digits=7)).quantity == D(1)
    # Within Odoo's float epsilon of a half cent, Odoo may round up where we round down
    # (1.0001 x 10740.0009999 = 10741.07499999999: Odoo 19 gave 10741.08): 1 x the amount.
    near = line("10741.07", "1.0001", model="per_unit", unit="h",
                tiers=(Tier(1, D("1.0001"), D("10740.0009999"), D(0)),))
    assert odoo_line(near, Precision(price_digits=7, quantity_digits=4,
                                     rounds_per_line=True)).quantity == D(1)
    # A flat fee is not units at a price.
    flat = line("4.87", "28.7", model="graduated", unit="GB-month",
                tiers=(Tier(1, D("28.7"), D("0.10"), D(2)),))
    assert odoo_line(flat, Precision(price_digits=7)).quantity == D(1)


def test_packages_are_posted_in_a_unit_of_their_size() -> None:
    conversations = line("75.00", "5285", model="package", unit="conversations",
                         tiers=(Tier(1, D(5), D(15), D(0)),), package_size=D(1000))
    posted = odoo_line(conversations, Precision())
    assert (posted.quantity, posted.uom, posted.price_unit) == (D(5), "1,000 conversations",
                                                               D(15))
    assert posted.name.endswith("Charged: 5 × 1,000 conversations at 15.00")
    # Without its size (a price version no longer in the catalog): 1 x the amount.
    unsized = odoo_line(line("75.00", "5285", model="package", unit="conversations",
                             tiers=(Tier(1, D(5), D(15), D(0)),)), Precision())
    assert (unsized.quantity, unsized.uom) == (D(1), None)


def test_fractional_units_beyond_quantity_precision_fall_back_to_one_unit() -> None:
    posted = odoo_line(line("909.73", "20216.2821"), Precision())
    assert (posted.quantity, posted.price_unit) == (D(1), D("909.73"))


def test_a_zero_line_keeps_its_quantity_at_price_zero() -> None:
    posted = odoo_line(line("0.00", "0", quantity="42.5"), Precision())
    assert (posted.quantity, posted.price_unit, posted.subtotal) == (D("42.50"), D(0), D(0))


def test_a_price_precision_below_cents_is_not_postable() -> None:
    with pytest.raises(NotPostable, match="Product Price"):
        odoo_line(line("12.34", "7"), Precision(price_digits=1))


@settings(max_examples=300, deadline=None)
@given(cents=st.integers(min_value=0, max_value=10**13),
       units=st.decimals(min_value=0, max_value=10**9, places=9, allow_nan=False),
       price_digits=st.integers(min_value=2, max_value=9),
       quantity_digits=st.integers(min_value=0, max_value=6))
def test_odoo_gives_back_the_rated_amount_exactly(cents: int, units: Decimal, price_digits: int,
                                                  quantity_digits: int) -> None:
    """Simulate Odoo: round quantity and price to its precision, the subtotal to cents."""
    amount = D(cents).scaleb(-2)
    precision = Precision(price_digits, quantity_digits)
    posted = odoo_line(line(str(amount), str(units)), precision)
    stored_quantity = odoo_round(posted.quantity, quantity_digits)
    stored_price = odoo_round(posted.price_unit, price_digits)
    assert (stored_quantity, stored_price) == (posted.quantity, posted.price_unit)
    assert odoo_round(stored_quantity * stored_price, 2) == amount
    # The float Odoo parses from our JSON number is that decimal again.
    assert D(str(float(posted.price_unit))) == posted.price_unit or posted.price_unit == 0


def test_the_description_names_the_tiers() -> None:
    graduated = line("45.68", "520.965779032", model="graduated", unit="GB-month",
                     tiers=(Tier(1, D(100), D("0.10"), D(2)),
                            Tier(2, D("420.965779032"), D("0.08"), D(0))))
    assert line_name(graduated).endswith(
        "Tiers: 100 GB-month at 0.10 + 2.00 flat; 420.965779032 GB-month at 0.08")
    volume = line("136.00", "21", model="volume", unit="instances",
                  tiers=(Tier(3, D(21), D(6), D(10)),))
    assert line_name(volume).endswith("Tier 3: 21 instances at 6.00 + 10.00 flat")
    per_unit = line("12.50", "1000000", model="per_unit", unit="tiles",
                    tiers=(Tier(1, D(1000000), D("0.0000125"), D(0)),))
    assert line_name(per_unit).endswith("Charged: 1,000,000 tiles at 0.0000125")


def test_the_content_hash_changes_with_the_invoice_and_only_with_it() -> None:
    def document(amount: str, name: str = "Acme", digits: int = 2, journal: str | None = None
                 ) -> str:
        return build_document("C1/svc/2026-10", "2026-10", "svc", "CAD", dt.date(2026, 10, 31),
                              ServiceAccounting(journal=journal), Customer("C1", name),
                              [line(amount, "3")],
                              Precision(price_digits=digits)).content_hash

    assert document("3.00") == document("3.00")
    assert document("3.00") != document("3.01")
    assert document("3.00") != document("3.00", journal="CLOUD")
    # Odoo's precision and the partner's details are not the invoice's content.
    assert document("3.00") == document("3.00", digits=7)
    assert document("3.00") == document("3.00", name="Acme Inc.")


def test_a_quantity_beyond_28_digits_still_rounds() -> None:
    posted = odoo_line(line("0.00", "0", quantity="12345678901234567890123456789.5"),
                       Precision())
    assert posted.quantity == D("12345678901234567890123456789.50")


# -- adjustments (issue 13): supplementary invoices and credit notes -----------------------------

ADJUSTMENT_KEY = "C1/svc/2026-10/r1"


def delta(amount: str) -> RatedLine:
    """An adjustment line: 1 x the difference, in Odoo's "Units"."""
    return RatedLine(product_code="P", description="Late usage for October 2026", quantity=D(1),
                     billable_units=D(1), amount=D(amount))


def adjustment(*amounts: str, move_type: str = "out_invoice",
               original_key: str | None = "C1/svc/2026-10",
               standalone: bool = False) -> InvoiceDocument:
    return build_document(ADJUSTMENT_KEY, "2026-10", "svc", "CAD", dt.date(2026, 12, 2),
                          ServiceAccounting(), Customer("C1", "Acme"),
                          [delta(a) for a in amounts], Precision(), move_type=move_type,
                          original_key=original_key, standalone=standalone)


def test_a_supplementary_invoice_keeps_a_negative_line_when_its_total_is_positive() -> None:
    document = adjustment("16.20", "-4.05")
    assert [(ln.quantity, ln.price_unit, ln.subtotal) for ln in document.lines] == [
        (D(1), D("16.20"), D("16.20")), (D(1), D("-4.05"), D("-4.05"))]
    assert document.untaxed == D("12.15")
    assert document.document_kind == "supplementary_invoice"


def test_a_credit_note_credits_positive_amounts_and_names_its_original() -> None:
    document = adjustment("16.20", move_type="out_refund")
    assert document.untaxed == D("16.20")
    assert document.document_kind == "credit_note"
    assert document.as_json()["move_type"] == "out_refund"
    assert document.as_json()["original_key"] == "C1/svc/2026-10"


def test_an_adjustment_totalling_nothing_or_less_is_not_postable() -> None:
    with pytest.raises(NotPostable, match=r"an adjustment totalling -1\.00 cannot be posted"):
        adjustment("3.00", "-4.00", move_type="out_refund")
    with pytest.raises(NotPostable, match=r"totalling 0\.00"):
        adjustment("4.00", "-4.00")


def test_the_move_type_and_the_original_are_part_of_an_adjustments_content() -> None:
    invoice = adjustment("16.20").content_hash
    assert invoice != adjustment("16.20", move_type="out_refund").content_hash
    assert invoice != adjustment("16.20", original_key="C1/svc/2026-09").content_hash


def test_a_supplementary_invoice_standing_alone_says_so_and_a_credit_note_cannot() -> None:
    # No invoice at the close: its ref names the period instead of an original's number.
    alone = adjustment("16.20", standalone=True)
    assert (alone.standalone, alone.as_json()["standalone"]) == (True, True)
    assert alone.content_hash != adjustment("16.20").content_hash
    assert "standalone" not in adjustment("16.20").as_json()
    with pytest.raises(NotPostable, match="a credit note needs an original invoice"):
        adjustment("16.20", move_type="out_refund", standalone=True)


def test_an_invoices_content_hash_is_the_one_earlier_versions_recorded() -> None:
    # Pinned from the version before adjustments existed: a changed hash would rewrite every
    # draft and compare every posted invoice's lines again.
    document = build_document("C1/svc/2026-10", "2026-10", "svc", "CAD", dt.date(2026, 10, 31),
                              ServiceAccounting(), Customer("C1", "Acme"), [line("3.00", "3")],
                              Precision())
    assert document.content_hash == \
        "4c5549b343861e8259d5fffd655a91cccd36599dde53d6b2c5a4280f53b8607a"
    assert document.document_kind is None and document.reversed_entry_id is None
