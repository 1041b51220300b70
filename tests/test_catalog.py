"""Catalog validation: clear errors naming file, path, problem and expectation."""

from decimal import Decimal
from pathlib import Path

import pytest

from rating.catalog import CatalogError, load_catalog

pytestmark = pytest.mark.fast

BUNDLED = Path(__file__).resolve().parent.parent / "catalog"


def write(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "catalog.yaml").write_text(text, encoding="utf-8")
    return folder


BASE = """
services: [{code: maps, name: Maps}]
metrics: [{service: maps, code: tiles, aggregation: sum, unit: tiles}]
plans:
  - code: payg
    service: maps
    charges:
      - metric: tiles
        product: NM-TILES
        prices:
"""


def test_bundled_catalog_is_valid() -> None:
    catalog = load_catalog(BUNDLED)
    assert {s.code for s in catalog.services} == {
        "nexacloud", "nexadesk", "nexamaps", "apps", "memberships"}
    assert all(s.currency == "CAD" for s in catalog.services)
    tiles = next(c for c in catalog.charges() if c.metric == "map_tiles")
    assert tiles.prices[0].tiers[0].unit_price == Decimal("0.0000125")


def test_problems_name_file_path_and_expectation(tmp_path: Path) -> None:
    folder = write(tmp_path, BASE + """
          - {effective_from: 2026-01-01, model: tiered, unit_price: "1"}
          - effective_from: 2026-02-01
            model: graduated
            tiers:
              - {up_to: "10", unit_price: 0.1}
              - {up_to: "5", unit_price: "1"}
              - {unit_price: "1"}
""")
    with pytest.raises(CatalogError) as caught:
        load_catalog(folder)
    problems = caught.value.problems
    assert any("catalog.yaml:12: plans[0].charges[0].prices[0].model: 'tiered' is not a charge "
               "model; expected one of per_unit" in p for p in problems)
    assert any("prices[1].tiers[0].unit_price: 0.1 is a binary float" in p for p in problems)
    assert any("prices[1].tiers[1].up_to: 5 must be above the previous tier's bound 10" in p
               for p in problems)


def test_unknown_references_and_keys(tmp_path: Path) -> None:
    folder = write(tmp_path, """
services: [{code: maps, name: Maps, currency: JPY}]
metrics: [{service: cloud, code: tiles, aggregation: average, unit: tiles, colour: red}]
plans: [{code: p, service: maps, charges: [{metric: nope, product: X, prices: []}]}]
""")
    with pytest.raises(CatalogError) as caught:
        load_catalog(folder)
    text = "\n".join(caught.value.problems)
    assert "services[0].currency: 'JPY' is not supported" in text
    assert "metrics[0].colour: unknown key" in text
    assert "metrics[0].service: unknown service 'cloud'" in text
    assert "metrics[0].aggregation: 'average' is not an aggregation" in text
    assert "plans[0].charges[0].metric: unknown metric 'nope' for service 'maps'" in text


def test_price_precision_and_placeholders(tmp_path: Path) -> None:
    folder = write(tmp_path, BASE.replace("product: NM-TILES",
                                          "product: NM-TILES\n        description: '{tiles}'")
                   + """
          - {effective_from: 2026-01-01, model: per_unit, unit_price: "0.0000000001"}
""")
    with pytest.raises(CatalogError) as caught:
        load_catalog(folder)
    text = "\n".join(caught.value.problems)
    assert "has more than 9 decimals" in text
    assert "unknown placeholder {tiles}" in text


def test_invalid_yaml_is_reported_not_raised(tmp_path: Path) -> None:
    folder = write(tmp_path, "services:\n  - [unclosed\nmetrics: []\n")
    with pytest.raises(CatalogError) as caught:
        load_catalog(folder)
    # The line PyYAML stopped on; and no list said missing, as the file may be where it is.
    assert caught.value.problems == [
        "catalog.yaml:3: (file): not valid YAML: expected ',' or ']', but got ':' (while "
        "parsing a flow sequence)"]


def test_price_versions_sorted_and_unique(tmp_path: Path) -> None:
    folder = write(tmp_path, BASE + """
          - {effective_from: 2026-03-01, model: per_unit, unit_price: "2"}
          - {effective_from: 2026-01-01, model: per_unit, unit_price: "1"}
""")
    charge = next(load_catalog(folder).charges())
    assert [p.effective_from.month for p in charge.prices] == [1, 3]
    duplicate = write(tmp_path / "dup", BASE + """
          - {effective_from: 2026-01-01, model: per_unit, unit_price: "2"}
          - {effective_from: 2026-01-01, model: per_unit, unit_price: "1"}
""")
    with pytest.raises(CatalogError, match="two prices take effect on 2026-01-01"):
        load_catalog(duplicate)


@pytest.mark.parametrize("emptied", ["plans.yaml", "metrics.yaml", "services.yaml"])
def test_an_emptied_catalog_file_is_refused_not_read_as_no_plans(tmp_path: Path,
                                                                 emptied: str) -> None:
    folder = copy_catalog(tmp_path)
    (folder / emptied).write_text("", encoding="utf-8")
    with pytest.raises(CatalogError) as raised:
        load_catalog(folder)
    assert any(p.startswith(f"{emptied}: (file): the file is empty")
               for p in raised.value.problems)


def test_a_catalog_without_plans_is_refused(tmp_path: Path) -> None:
    folder = copy_catalog(tmp_path)
    (folder / "plans.yaml").unlink()
    with pytest.raises(CatalogError, match="the catalog has no plans"):
        load_catalog(folder)


def copy_catalog(tmp_path: Path) -> Path:
    import shutil

    return Path(shutil.copytree(BUNDLED, tmp_path / "catalog"))


def line_holding(file: Path, text: str) -> int:
    """The 1-based line of `file` that holds `text` (the tests' edits, found where they are)."""
    lines = file.read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if text in line)


def edit(file: Path, old: str, new: str) -> None:
    text = file.read_text(encoding="utf-8")
    assert old in text
    file.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_date_that_does_not_exist_names_the_file_line_and_key(tmp_path: Path) -> None:
    folder = copy_catalog(tmp_path)
    plans = folder / "plans.yaml"
    edit(plans, "effective_from: 2026-11-01", "effective_from: 2025-13-01")
    with pytest.raises(CatalogError) as raised:
        load_catalog(folder)
    assert raised.value.problems == [
        f"plans.yaml:{line_holding(plans, '2025-13-01')}: plans[0].charges[0].prices[1]"
        ".effective_from: '2025-13-01' is not a date (month must be in 1..12); expected "
        "YYYY-MM-DD, e.g. 2026-01-01"]
    assert str(raised.value).startswith(f"the catalog in {folder} is invalid (1 problem(s)):")


def test_a_deleted_services_file_is_said_once_without_its_knock_on_errors(tmp_path: Path
                                                                          ) -> None:
    folder = copy_catalog(tmp_path)
    (folder / "services.yaml").unlink()
    with pytest.raises(CatalogError) as raised:
        load_catalog(folder)
    # Not one "unknown service" per metric and plan that names a service.
    assert raised.value.problems == [
        "services.yaml: (file): the file is missing, so the catalog has no services (no other "
        "file holds a `services:` list) and nothing can be rated: restore "
        f"{folder / 'services.yaml'}"]


def test_an_emptied_metrics_file_is_said_once_without_its_knock_on_errors(tmp_path: Path
                                                                          ) -> None:
    folder = copy_catalog(tmp_path)
    (folder / "metrics.yaml").write_text("# emptied\n", encoding="utf-8")
    with pytest.raises(CatalogError) as raised:
        load_catalog(folder)
    # Not one "unknown metric" per charge and cost allocation, nor "the catalog has no metrics".
    assert raised.value.problems == [
        "metrics.yaml: (file): the file is empty; a catalog file holds services, metrics, plans "
        "or cost_allocation: restore it: the catalog has no metrics without it"]


def test_a_mistyped_charge_model_is_its_only_problem(tmp_path: Path) -> None:
    folder = copy_catalog(tmp_path)
    plans = folder / "plans.yaml"
    edit(plans, "model: graduated", "model: graduatd")
    with pytest.raises(CatalogError) as raised:
        load_catalog(folder)
    # Not also "tiers: unknown key", which would send the reader to the wrong line.
    assert raised.value.problems == [
        f"plans.yaml:{line_holding(plans, 'graduatd')}: plans[0].charges[1].prices[0].model: "
        "'graduatd' is not a charge model; expected one of per_unit, graduated, volume, "
        "package, percentage"]


def test_a_key_written_twice_is_refused_naming_both_lines(tmp_path: Path) -> None:
    folder = copy_catalog(tmp_path)
    plans = folder / "plans.yaml"
    edit(plans, "    name: NexaCloud Standard\n",
         "    name: NexaCloud Standard\n    name: NexaCloud Std\n")
    services = folder / "services.yaml"
    edit(services, "{code: apps, name: Custom apps,", "{code: apps, name: Custom apps, name: Apps,")
    with pytest.raises(CatalogError) as raised:
        load_catalog(folder)
    first = line_holding(plans, "name: NexaCloud Standard")
    same = line_holding(services, "name: Apps,")
    assert raised.value.problems == [
        f"plans.yaml:{first + 1}: plans[0].name: written twice, on lines {first} and "
        f"{first + 1}; YAML would keep only the last: keep one",
        f"services.yaml:{same}: services[3].name: written twice, on line {same}; YAML would "
        "keep only the last: keep one"]


def test_a_missing_key_is_placed_on_the_line_of_the_entry_that_lacks_it(tmp_path: Path
                                                                       ) -> None:
    folder = write(tmp_path, BASE + """
          - {model: per_unit, unit_price: "1"}
""")
    with pytest.raises(CatalogError) as raised:
        load_catalog(folder)
    assert raised.value.problems == [
        "catalog.yaml:12: plans[0].charges[0].prices[0].effective_from: missing; expected a "
        "date (YYYY-MM-DD)"]


def test_a_metric_names_the_event_property_of_its_value_as_lagos_field_name(
        tmp_path: Path) -> None:
    folder = write(tmp_path, BASE.replace("unit: tiles}", "unit: tiles, field_name: count}")
                   + "          - {effective_from: 2025-01-01, model: per_unit, "
                     "unit_price: '0.01'}\n")
    assert load_catalog(folder).metrics[0].field_name == "count"


def test_a_metric_without_field_name_reads_the_value_property(tmp_path: Path) -> None:
    assert next(m for m in load_catalog(BUNDLED).metrics
                if m.code == "vcpu_hours").field_name == "value"
    assert next(m for m in load_catalog(BUNDLED).metrics
                if m.code == "agents").field_name == "agent_id"


def test_a_field_name_that_is_not_a_string_is_refused(tmp_path: Path) -> None:
    folder = write(tmp_path, BASE.replace("unit: tiles}", "unit: tiles, field_name: 3}")
                   + "          - {effective_from: 2025-01-01, model: per_unit, "
                     "unit_price: '0.01'}\n")
    with pytest.raises(CatalogError, match=r"metrics\[0\]\.field_name: expected a non-empty"):
        load_catalog(folder)
