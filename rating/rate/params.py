"""What the statements of a rating and of a month close are given: the period's named
parameters, and the time as the warehouse records it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rating.periods import BillingPeriod


def utc_now() -> dt.datetime:
    """Now, as the warehouse's timestamps hold it: UTC without a zone."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def period_params(period: BillingPeriod) -> dict[str, Any]:
    return {
        "billing_period": period.code,
        "period_key": int(period.code.replace("-", "")),
        "period_start": period.start,
        "period_end": period.end,
        "period_us": period.seconds * 1_000_000,
        "period_first_day": period.first_day,
        "period_label": period.label,
    }
