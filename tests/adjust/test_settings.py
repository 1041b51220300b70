"""The adjust run's settings from the environment (rating.adjust.run.AdjustSettings)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from rating.adjust.run import AdjustSettings

pytestmark = pytest.mark.fast


def test_the_defaults_are_a_threshold_of_one_dollar_and_two_closed_periods() -> None:
    settings = AdjustSettings.from_environment({})
    assert (settings.threshold, settings.lookback) == (Decimal("1.00"), 2)
    assert settings == AdjustSettings()


def test_the_environment_sets_threshold_and_lookback_exactly() -> None:
    settings = AdjustSettings.from_environment({"FUSION_ADJUST_THRESHOLD": "0.10",
                                                "FUSION_ADJUST_LOOKBACK": "3"})
    assert (settings.threshold, settings.lookback) == (Decimal("0.10"), 3)


def test_a_negative_setting_is_refused() -> None:
    with pytest.raises(ValueError, match="cannot be negative"):
        AdjustSettings.from_environment({"FUSION_ADJUST_THRESHOLD": "-1"})
