"""The adjust run's settings from the environment (rating.adjust.run.AdjustSettings)."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from rating import cli
from rating.adjust.run import AdjustSettings, IssuedRevision

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


def test_adjustments_are_separate_documents_unless_next_period_is_set() -> None:
    assert AdjustSettings.from_environment({}).delivery == "separate"
    settings = AdjustSettings.from_environment({"FUSION_ADJUST_DELIVERY": "next_period"})
    assert settings.delivery == "next_period"


def test_an_unknown_delivery_is_refused_naming_the_variable_and_its_values() -> None:
    with pytest.raises(ValueError) as refused:
        AdjustSettings.from_environment({"FUSION_ADJUST_DELIVERY": "next-period"})
    assert str(refused.value) == (
        "FUSION_ADJUST_DELIVERY is 'next-period': it must be 'separate' (the default: each "
        "adjustment its own document) or 'next_period' (on the next open period's invoice)")


def test_the_command_exits_2_on_an_unknown_delivery_before_touching_anything(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from rating.adjust import service

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("adjusted although the setting is wrong")

    monkeypatch.setattr(service, "adjust_periods", never)
    monkeypatch.setenv("FUSION_ADJUST_DELIVERY", "later")
    assert cli.main(["adjust", "--landing", "l", "--catalog", "c", "--warehouse", "w",
                     "-q"]) == 2
    assert "FUSION_ADJUST_DELIVERY is 'later': it must be 'separate'" in capsys.readouterr().err


def test_the_command_keeps_the_delivery_beside_its_threshold_and_lookback_flags(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from rating.adjust import service

    asked: list[AdjustSettings] = []

    def record(request: service.AdjustPeriodsRequest, *args: object) -> None:
        asked.append(request.settings)
        raise ValueError("stop here")

    monkeypatch.setattr(service, "adjust_periods", record)
    monkeypatch.setenv("FUSION_ADJUST_DELIVERY", "next_period")
    cli.main(["adjust", "--landing", "l", "--catalog", "c", "--warehouse", "w", "-q",
              "--threshold", "0.50", "--lookback", "3"])
    assert [(s.delivery, s.threshold, s.lookback) for s in asked] == [
        ("next_period", Decimal("0.50"), 3)]


def test_a_revision_says_how_it_was_delivered() -> None:
    revision = IssuedRevision(
        adjustment_key="C1/nexacloud/2026-10/r1", invoice_key="C1/nexacloud/2026-10",
        revision=1, document_kind="credit_note", currency="CAD", amount_net=Decimal("-2.50"),
        amount_document=Decimal("2.50"), reason="late_usage", source_files=())
    assert revision.delivery_note is None
    assert dataclasses.replace(revision, delivery="next_period",
                               target_period="2026-11").delivery_note == (
        "on the customer's 2026-11 invoice")
    fell_back = dataclasses.replace(revision, reason_text=(
        "Usage for October 2026 received after its invoice, revision 1 of C1/nexacloud/2026-10"
        "; a document of its own: C1 has no nexacloud invoice in 2026-11 to carry it"))
    assert fell_back.delivery_note == (
        "as a document of its own: C1 has no nexacloud invoice in 2026-11 to carry it")
