"""The posting assets in Dagster: after the month close, over real HTTP, secrets kept out."""

from pathlib import Path

import dagster as dg
import pytest

import assets
from assets.close import closed_period
from assets.ingest import landed_usage
from assets.odoo import odoo_posting
from assets.rating import period_summary, rated_period
from pipelines.resources import OdooResource, RatingResource, odoo_resource_from_environment
from rating.samples.usage import write_sample
from tests.support.odoo_server import OdooTestServer
from tests.support.posting import set_up

pytestmark = pytest.mark.slow

SECRET = "pw-that-must-never-show"
GRAPH = [landed_usage, rated_period, period_summary, closed_period, odoo_posting,
         *dg.load_asset_checks_from_package_module(assets)]


@pytest.fixture
def rating(tmp_path: Path) -> RatingResource:
    sample = write_sample(tmp_path / "sample", rows=3000)
    # Its unreadable file would hold the month close until someone removed or released it.
    (sample.landing / "usage" / "corrupt" / "garbage.parquet").unlink()
    return RatingResource(landing=str(sample.landing), catalog=str(sample.catalog),
                          warehouse=str(tmp_path / "wh.duckdb"))


def month_close(rating: RatingResource, odoo: OdooResource) -> dg.ExecuteInProcessResult:
    return dg.materialize(GRAPH, partition_key="2026-10",
                          resources={"rating": rating, "odoo": odoo}, raise_on_error=False)


def test_the_month_close_posts_once_and_the_check_reads_back(
        rating: RatingResource, monkeypatch: pytest.MonkeyPatch) -> None:
    with OdooTestServer(password=SECRET) as server:
        set_up(server)
        for name, value in {"ODOO_URL": server.url, "ODOO_DB": server.db,
                            "ODOO_USER": server.login, "ODOO_PASSWORD": SECRET}.items():
            monkeypatch.setenv(name, value)
        odoo = odoo_resource_from_environment()
        assert isinstance(odoo.password, dg.EnvVar)   # the secret is a reference, not a value
        with dg.instance_for_test() as instance:
            result = dg.materialize(GRAPH, partition_key="2026-10", instance=instance,
                                    resources={"rating": rating, "odoo": odoo})
            assert result.success
            posting = result.asset_materializations_for_node("odoo_posting")[0].metadata
            invoices = posting["invoices"].value
            assert invoices > 100 and posting["posted"].value == invoices
            assert posting["held"].value == 0
            evaluations = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
            assert evaluations["odoo_amounts_match"]
            moves = server.records("account.move")
            assert len(moves) == invoices and {m["state"] for m in moves} == {"posted"}
            # A second month close posts nothing new.
            again = dg.materialize(GRAPH, partition_key="2026-10", instance=instance,
                                   resources={"rating": rating, "odoo": odoo})
            second = again.asset_materializations_for_node("odoo_posting")[0].metadata
            assert (second["posted"].value, second["already_posted"].value) == (0, invoices)
            assert len(server.records("account.move")) == invoices
            logged = [str(record) for record in instance.all_logs(result.run_id)]
            logged += [str(record) for record in instance.all_logs(again.run_id)]
            assert logged and not [line for line in logged if SECRET in line]


def test_without_odoo_url_the_month_close_is_a_dry_run(rating: RatingResource) -> None:
    result = month_close(rating, OdooResource())
    assert result.success
    posting = result.asset_materializations_for_node("odoo_posting")[0].metadata
    assert posting["mode"].value == "dry run (odoo_outbox)"
    evaluations = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    assert evaluations["odoo_amounts_match"]


def test_a_read_back_difference_fails_the_blocking_check(rating: RatingResource) -> None:
    with OdooTestServer() as server:
        set_up(server)
        included = [t["id"] for t in server.records("account.tax") if t["price_include"]]
        server.execute("product.product", "create", vals_list=[
            {"name": "Tiles, tax included", "default_code": "NM-TILES", "type": "service",
             "taxes_id": [[6, 0, included]]}])
        odoo = OdooResource(url=server.url, database=server.db, login=server.login,
                            password=server.password)
        result = month_close(rating, odoo)
    evaluations = {e.check_name: e for e in result.get_asset_check_evaluations()}
    check = evaluations["odoo_amounts_match"]
    assert not check.passed and check.metadata["mismatches"].value > 0
    posting = result.asset_materializations_for_node("odoo_posting")[0].metadata
    assert posting["held"].value == check.metadata["mismatches"].value


def test_posting_an_open_period_fails_with_a_clear_reason(rating: RatingResource) -> None:
    with OdooTestServer() as server:
        set_up(server)
        odoo = OdooResource(url=server.url, database=server.db, login=server.login,
                            password=server.password)
        rated = dg.materialize([landed_usage, rated_period], partition_key="2026-10",
                               resources={"rating": rating})
        assert rated.success
        result = dg.materialize([odoo_posting], partition_key="2026-10",
                                resources={"rating": rating, "odoo": odoo},
                                raise_on_error=False)
        assert not result.success
        failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
        assert "still open" in str(failure.event_specific_data)
        assert server.records("account.move") == []
