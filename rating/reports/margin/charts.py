"""The margin report's charts: matplotlib, imported on first use, drawn as inline SVG."""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from rating.reports.margin.figures import EXTREMES, Customer, Readiness, format_percent

if TYPE_CHECKING:
    from matplotlib.figure import Figure

_POSITIVE = "#2b6cb0"
_NEGATIVE = "#c53030"

def _label(text: str, width: int = 32) -> str:
    """Text as matplotlib draws it literally: '$' would start math mode, a leading '_' would
    hide a legend entry; long customer keys are shortened (the tables give them in full)."""
    if len(text) > width:
        text = text[: width - 1] + "…"
    text = text.replace("$", r"\$")
    return "\u200b" + text if text.startswith("_") else text


CHART_STYLE = {
    "svg.fonttype": "none",      # text stays text (searchable, escaped), no glyphs embedded
    "svg.hashsalt": "fusion-rating",  # the same figures give the same SVG
    "font.family": "sans-serif",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def load_pyplot() -> Any:
    """matplotlib's pyplot on the Agg backend (no display needed), imported on first use."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    return pyplot


def _svg(fig: Figure, prefix: str) -> str:
    """The figure as an inline <svg> element, then closed: no XML prolog, doctype, metadata or
    namespace URLs (an HTML page needs none of them), and its ids prefixed, so that several
    charts on one page never share one."""
    import io

    from matplotlib import pyplot

    buffer = io.StringIO()
    try:
        fig.savefig(buffer, format="svg", bbox_inches="tight",
                    metadata={"Creator": None, "Date": None, "Format": None, "Type": None})
    finally:
        pyplot.close(fig)
    text = buffer.getvalue()
    text = text[text.index("<svg"):]
    text = re.sub(r"<metadata>.*?</metadata>\s*", "", text, flags=re.DOTALL)
    text = re.sub(r'\s+xmlns(:\w+)?="[^"]*"', "", text)
    text = re.sub(r'\bid="', f'id="{prefix}-', text)
    return re.sub(r'(url\(#|href="#)', rf"\g<1>{prefix}-", text)


def _amount_axis(axis: Any) -> None:
    from matplotlib.ticker import FuncFormatter

    axis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.0f}"))


def history_chart(periods: Sequence[str], services: Sequence[str],
                  margins: dict[tuple[str, str], Decimal], currency: str = "CAD") -> str:
    plt = load_pyplot()
    fig, ax = plt.subplots(figsize=(9, 3.8))
    x = list(range(len(periods)))
    for service in services:
        values = [float(margins[(p, service)]) if (p, service) in margins else float("nan")
                  for p in periods]
        ax.plot(x, values, marker="o", linewidth=1.6, label=_label(service))
    ax.axhline(0, color="#4a5568", linewidth=0.8)
    ax.set_xticks(x, [_label(p) for p in periods], rotation=45 if len(periods) > 12 else 0)
    ax.set_xlabel("billing period")
    ax.set_ylabel(f"margin ({_label(currency)})")
    _amount_axis(ax.yaxis)
    ax.grid(axis="y", color="#e2e8f0")
    ax.set_axisbelow(True)
    ax.legend(title="service", loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    return _svg(fig, "history")


def customers_chart(top: Sequence[Customer], bottom: Sequence[Customer],
                    currency: str = "CAD") -> str:
    plt = load_pyplot()
    rows = max(len(top), len(bottom))
    fig, axes = plt.subplots(1, 2, figsize=(11, 1.2 + 0.32 * rows))
    for ax, customers, title in ((axes[0], top, f"Top {EXTREMES}"),
                                 (axes[1], bottom, f"Bottom {EXTREMES}")):
        values = [float(c.margin) for c in customers]
        y = list(range(len(customers)))
        colours = [_NEGATIVE if c.margin < 0 else _POSITIVE for c in customers]
        ax.barh(y, values, color=colours)
        ax.set_yticks(y, [_label(c.key) for c in customers])
        ax.invert_yaxis()                  # first in the list at the top
        ax.axvline(0, color="#4a5568", linewidth=0.8)
        low, high = min([0.0, *values]), max([0.0, *values])
        pad = (high - low) * 0.05 or 1.0   # a zero or negative bar stays visible
        ax.set_xlim(low - (pad if low < 0 else 0), high + pad)
        ax.set_title(title, loc="left")
        ax.set_xlabel(f"margin ({_label(currency)})")
        _amount_axis(ax.xaxis)
        ax.grid(axis="x", color="#e2e8f0")
        ax.set_axisbelow(True)
    fig.tight_layout()
    return _svg(fig, "customers")


def readiness_chart(readiness: Sequence[Readiness]) -> str:
    plt = load_pyplot()
    fig, ax = plt.subplots(figsize=(8, 1.0 + 0.45 * len(readiness)))
    y = list(range(len(readiness)))
    shares = [float(r.share_matched) if r.share_matched is not None else 0.0 for r in readiness]
    ax.barh(y, shares, color=_POSITIVE)
    ax.set_yticks(y, [_label(r.service) for r in readiness])
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("customers matched (%)")
    for position, r in zip(y, readiness, strict=True):
        text = (f"{r.matched_customers:,} of {r.customers:,} ({format_percent(r.share_matched)}%)"
                if r.share_matched is not None else "no customers compared")
        ax.text(1, position, text, va="center", ha="left", color="#1a202c",
                bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.7, "pad": 1})
    ax.grid(axis="x", color="#e2e8f0")
    ax.set_axisbelow(True)
    return _svg(fig, "readiness")
