"""`fusion-rating webhooks ...`: endpoints and secrets, the deliveries listed, retried,
replayed and delivered, with one-line errors naming the fix and never a secret."""

import datetime as dt

import pytest

from rating import warehouse
from rating.cli import main
from rating.webhooks.delivery import DeliverySettings, deliver
from rating.webhooks.endpoints import endpoints, valid_secret
from tests.support.webhook_outbox import endpoint_for, event_ids, write_generated
from tests.support.webhook_receiver import ERROR, receiving
from tests.webhooks.conftest import Place

pytestmark = pytest.mark.engine


def run(place: Place, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["webhooks", *argv, "--warehouse", str(place.database)])
    out, err = capsys.readouterr()
    return code, out, err


def test_an_endpoint_is_added_listed_and_removed(place: Place,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    endpoint_for(place.state, "cloud", "http://127.0.0.1:9/first", "HOOK_SECRET")
    code, out, _ = run(place, capsys, "endpoint", "add", "cloud", "https://app.example/hooks",
                       "--secret-env", "CLOUD_HOOKS", "--description", "the app")
    assert code == 0 and "added for cloud" in out
    added = next(e for e in endpoints(place.state) if e.secret_env == "CLOUD_HOOKS")
    code, out, _ = run(place, capsys, "endpoints")
    assert added.endpoint_id in out and "https://app.example/hooks" in out
    assert "$CLOUD_HOOKS" in out
    code, out, _ = run(place, capsys, "endpoint", "remove", added.endpoint_id)
    assert code == 0 and added.endpoint_id not in {e.endpoint_id for e in endpoints(place.state)}


def test_a_bad_endpoint_command_answers_one_line_naming_the_fix(
        place: Place, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(place, capsys, "endpoint", "add", "cloud", "https://app.example/hooks")
    assert code == 2 and "--secret-env" in err and err.count("\n") == 1
    code, _, err = run(place, capsys, "endpoint", "add", "nosuch", "https://app.example/h",
                       "--secret-env", "X")
    assert code == 2 and "fusion-rating service add nosuch" in err
    code, _, err = run(place, capsys, "endpoint", "remove", "we_missing")
    assert code == 2 and "fusion-rating webhooks endpoints" in err
    code, _, err = run(place, capsys, "retry")
    assert code == 2 and "--failed" in err
    code, _, err = run(place, capsys, "replay", "--since", "yesterday", "--service", "cloud")
    assert code == 2 and "is not a timestamp" in err
    endpoint_for(place.state, "cloud", "http://127.0.0.1:9/first", "HOOK_SECRET")
    code, _, err = run(place, capsys, "endpoint", "add", "cloud", "http://127.0.0.1:80a/hooks",
                       "--secret-env", "X")  # a port the deliverer's HTTP client refuses
    assert code == 2 and "is not a valid URL" in err and err.count("\n") == 1
    code, out, err = run(place, capsys, "replay", "msg_typo")
    assert code == 2 and "msg_typo" in err and "webhooks list" in err and not out


def test_secret_prints_a_new_valid_secret_each_time(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["webhooks", "secret"]) == 0
    first = capsys.readouterr().out.strip()
    assert main(["webhooks", "secret"]) == 0
    second = capsys.readouterr().out.strip()
    assert valid_secret(first) and valid_secret(second) and first != second


def test_deliver_list_retry_and_replay_from_the_command_line(
        place: Place, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOOK_SECRET", place.secret)
    with receiving(place.secret, fault=ERROR) as app:
        endpoint_for(place.state, "cloud", app.url, "HOOK_SECRET")
        write_generated(place.database, "cloud", 2, "cli")
        deliver(place.database, place.state, DeliverySettings(give_up_after=dt.timedelta(0)),
                environ=place.environ())
        code, out, _ = run(place, capsys, "list", "--state", "failed")
        # The second was not sent (the endpoint failed on the first) and ages the same way.
        assert code == 0 and out.count("  failed ") == 2 and out.count("HTTP 500") == 2
        assert out.count("not sent: the endpoint failed on") == 1
        app.fault = "ok"
        code, out, _ = run(place, capsys, "retry", "--failed")
        assert code == 0 and out.startswith("2 deliveries pending again")
        code, out, _ = run(place, capsys, "deliver")
        assert code == 0 and out.startswith("sent 2: delivered 2")
        ids = event_ids(place.database)
        code, out, _ = run(place, capsys, "replay", ids[0])
        assert code == 0 and out.startswith("1 delivery to send again")
        since = (warehouse.utc_now() - dt.timedelta(hours=1)).isoformat()
        code, out, _ = run(place, capsys, "replay", "--since", since, "--service", "cloud")
        assert out.startswith("2 deliveries")
        run(place, capsys, "deliver")
        code, out, _ = run(place, capsys, "list", "--type", "usage.rejected", "--limit", "5")
    assert app.ids() == [ids[0], ids[1], ids[0], ids[1]]
    assert out.count(" delivered ") == 2
    assert place.secret not in out


def test_no_secret_appears_in_the_list_or_the_errors(
        place: Place, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    leaked = place.secret + " whsec_short"
    monkeypatch.setenv("HOOK_SECRET", leaked)
    endpoint_for(place.state, "cloud", "http://127.0.0.1:9/hooks", "HOOK_SECRET")
    write_generated(place.database, "cloud", 1, "leak")
    code, out, err = run(place, capsys, "deliver")
    assert code == 0 and "to retry 1" in out
    _, listed, _ = run(place, capsys, "list")
    _, shown, _ = run(place, capsys, "endpoints")
    assert "$HOOK_SECRET" in listed
    for text in (out, err, listed, shown):
        assert place.secret not in text and "whsec_short" not in text


def test_list_with_a_negative_limit_and_retry_of_an_unknown_event_answer_one_line(
        place: Place, capsys: pytest.CaptureFixture[str]) -> None:
    write_generated(place.database, "cloud", 1, "cli")
    code = main(["webhooks", "list", "--limit", "-1", "--warehouse", str(place.database)])
    _, err = capsys.readouterr()
    assert code == 2 and "--limit" in err and err.count("\n") == 1
    code = main(["webhooks", "retry", "msg_typo", "--warehouse", str(place.database)])
    out, err = capsys.readouterr()
    assert "msg_typo" in out + err and "webhooks list" in out + err, (
        "a mistyped event id answered '0 deliveries pending again': nothing says it matched "
        "nothing")


def test_deliver_every_carries_on_after_a_pass_that_failed_and_delivers_at_the_next(
        place: Place, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    import signal

    from rating.webhooks import delivery

    real = delivery.deliver
    passes: list[str] = []

    def flaky(*args: object, **kwargs: object) -> delivery.DeliveryReport:
        passes.append("pass")
        if len(passes) == 1:
            raise RuntimeError("disk hiccup")  # an error no pass expects
        if len(passes) == 3:
            raise KeyboardInterrupt  # the operator's Ctrl-C ends the loop
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(delivery, "deliver", flaky)
    monkeypatch.setenv("HOOK_SECRET", place.secret)
    sigterm = signal.getsignal(signal.SIGTERM)  # the loop installs its own handler
    try:
        with receiving(place.secret) as app:
            endpoint_for(place.state, "cloud", app.url, "HOOK_SECRET")
            write_generated(place.database, "cloud", 2, "loop")
            code, out, err = run(place, capsys, "deliver", "--every", "0.05")
            assert len(app.ids()) == 2  # the pass after the failed one delivered both
    finally:
        signal.signal(signal.SIGTERM, sigterm)
    assert code == 0 and len(passes) == 3
    assert "a delivery pass failed (RuntimeError: disk hiccup)" in err
    assert "the next one in 0.05 s tries again" in err
    assert "sent 2: delivered 2" in out
