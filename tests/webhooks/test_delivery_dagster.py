"""The Dagster side in process: the asset delivers with its counts as metadata, the check warns
while a delivery is held failed, and the schedule runs only when an endpoint is configured."""

import datetime as dt
import fcntl
import threading
import uuid

import dagster as dg
import pytest

from assets.webhooks import no_failed_webhook_deliveries, webhook_deliveries
from pipelines.definitions import from_environment
from pipelines.resources import RatingResource
from pipelines.schedules import webhook_delivery
from rating.webhooks.delivery import DeliverySettings, deliver, lock_path
from tests.support.webhook_outbox import endpoint_for, write_generated
from tests.support.webhook_receiver import closed_url, receiving
from tests.webhooks.conftest import Place

pytestmark = pytest.mark.engine


def materialize(place: Place) -> dg.ExecuteInProcessResult:
    rating = RatingResource(warehouse=str(place.database))
    return dg.materialize([webhook_deliveries, no_failed_webhook_deliveries],
                          resources={"rating": rating})


def test_the_asset_delivers_and_reports_its_counts(place: Place,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOOK_SECRET", place.secret)
    with receiving(place.secret) as app:
        endpoint_for(place.state, "cloud", app.url, "HOOK_SECRET")
        write_generated(place.database, "cloud", 3, "dagster")
        result = materialize(place)
    assert result.success and len(app.ids()) == 3
    [event] = result.asset_materializations_for_node("webhook_deliveries")
    metadata = {key: value.value for key, value in event.metadata.items()}
    assert (metadata["sent"], metadata["delivered"], metadata["retried"], metadata["failed"],
            metadata["pending"], metadata["failed_total"]) == (3, 3, 0, 0, 0, 0)
    [check] = result.get_asset_check_evaluations()
    assert check.passed


def test_the_check_warns_while_a_delivery_is_held_failed(place: Place,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOOK_SECRET", place.secret)
    endpoint = endpoint_for(place.state, "cloud", "http://127.0.0.1:9/hooks", "HOOK_SECRET")
    write_generated(place.database, "cloud", 1, "held")
    deliver(place.database, place.state, DeliverySettings(give_up_after=dt.timedelta(0)),
            environ=place.environ())
    result = materialize(place)
    assert result.success  # a warning, not a failed run
    [check] = result.get_asset_check_evaluations()
    assert not check.passed and check.severity == dg.AssetCheckSeverity.WARN
    shown = check.metadata["first"].value
    assert endpoint.endpoint_id in shown and "ConnectError" in shown
    assert place.secret not in shown


def test_the_schedule_runs_only_while_an_endpoint_is_configured(place: Place) -> None:
    rating = RatingResource(warehouse=str(place.database))
    with dg.instance_for_test() as instance, \
            dg.build_schedule_context(instance=instance, resources={"rating": rating}) as context:
        assert isinstance(webhook_delivery(context), dg.SkipReason)
        endpoint_for(place.state, "cloud", "http://127.0.0.1:9/hooks", "HOOK_SECRET")
        assert isinstance(webhook_delivery(context), dg.RunRequest)


def test_the_schedule_skips_while_a_delivery_run_is_started_until_it_ends(place: Place) -> None:
    rating = RatingResource(warehouse=str(place.database))
    endpoint_for(place.state, "cloud", "http://127.0.0.1:9/hooks", "HOOK_SECRET")
    with dg.instance_for_test() as instance, \
            dg.build_schedule_context(instance=instance, resources={"rating": rating}) as context:
        started = instance.add_run(dg.DagsterRun(job_name="deliver_webhooks",
                                                run_id=str(uuid.uuid4()),
                                                status=dg.DagsterRunStatus.STARTED))
        skipped = webhook_delivery(context)
        instance.report_run_canceled(started)
        assert isinstance(webhook_delivery(context), dg.RunRequest)
    assert isinstance(skipped, dg.SkipReason) and started.run_id in str(skipped.skip_message)


def test_the_definitions_hold_the_delivery_job_and_schedule() -> None:
    defs = from_environment()
    assert defs.resolve_job_def("deliver_webhooks") is not None
    assert defs.resolve_schedule_def("webhook_delivery").cron_schedule == "* * * * *"


def test_a_delivery_run_that_finds_a_pass_running_ends_at_once_while_rating_holds_the_warehouse(
        place: Place, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOOK_SECRET", place.secret)
    endpoint_for(place.state, "cloud", closed_url(), "HOOK_SECRET")
    write_generated(place.database, "cloud", 1, "pile-up")
    rating = RatingResource(warehouse=str(place.database))
    finished = threading.Event()

    def scheduled_run() -> None:  # the next minute's run
        dg.materialize([webhook_deliveries, no_failed_webhook_deliveries],
                       resources={"rating": rating})
        finished.set()

    # A pass is waiting for its claim while the nightly rating holds the warehouse's writer.
    with open(lock_path(place.database), "a") as running_pass, \
            open(f"{place.database}.lock", "a") as rating_run:
        fcntl.flock(running_pass, fcntl.LOCK_EX)
        fcntl.flock(rating_run, fcntl.LOCK_EX)
        thread = threading.Thread(target=scheduled_run, daemon=True)
        thread.start()
        ended = finished.wait(5)
    thread.join(60)
    assert ended, ("a run that did nothing waited for the warehouse in its check: one more "
                   "Dagster run process piles up every minute for as long as rating runs")
