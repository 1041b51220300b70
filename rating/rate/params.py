"""What the statements of a rating and of a month close are given: the period's named
parameters."""

from __future__ import annotations

from typing import Any

from rating.periods import BillingPeriod


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
