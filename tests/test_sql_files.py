"""Every SQL statement is named by its literal path, and every file under sql/ is run.

Code names a statement by its path under sql/ without ".sql" (e.g. "rate/insert_invoice_lines"),
never by a name built at run time, so that searching for a file's path finds who runs it. Each
stage's schema/ folder and the macros/ folder are run whole, in name order, by rating.warehouse.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.fast
ROOT = Path(__file__).resolve().parent.parent
SQL = ROOT / "sql"
RUN_WHOLE = ("schema", "macros")  # every file of folders so named runs (rating.warehouse)
CODE = [path for folder in ("rating", "assets", "pipelines", "bench")
        for path in sorted((ROOT / folder).rglob("*.py"))]
TESTS = sorted((ROOT / "tests").rglob("*.py"))  # may name statements too (never the only user)
FOLDERS = sorted(p.name for p in SQL.iterdir() if p.is_dir())
NAME = re.compile(rf"^(?:{'|'.join(FOLDERS)})(?:/[a-z0-9_]+)+$")


def named_statements(code: list[Path] = CODE) -> dict[str, list[str]]:
    """Each "<folder>/<name>" string literal of the code, with where it is written."""
    found: dict[str, list[str]] = {}
    for path in code:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        # Text inside f-strings is printed, not run (a table header such as "ledger/floor").
        printed = {id(n) for f in ast.walk(tree) if isinstance(f, ast.JoinedStr)
                   for n in ast.walk(f)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and id(node) not in printed and NAME.match(node.value):
                found.setdefault(node.value, []).append(
                    f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_every_statement_the_code_or_a_test_names_is_a_file() -> None:
    missing = {name: where for name, where in named_statements(CODE + TESTS).items()
               if not (SQL / f"{name}.sql").is_file()}
    assert missing == {}


def test_every_sql_file_is_named_by_the_code() -> None:
    named = named_statements()
    files = {str(p.relative_to(SQL).with_suffix("")) for p in SQL.rglob("*.sql")
             if p.parent.name not in RUN_WHOLE}
    assert sorted(files - set(named)) == []


def test_no_statement_name_is_built_at_run_time() -> None:
    named = [folder for folder in FOLDERS if folder not in RUN_WHOLE]
    built = re.compile(r"""(run|sql|query)\([^()]*f["'](?:""" + "|".join(named) + ")/")
    found = [f"{path.relative_to(ROOT)}:{n}" for path in CODE
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if built.search(line)]
    assert found == []


def test_every_schema_folder_is_created_by_the_warehouse() -> None:
    from rating.warehouse import SCHEMA_STAGES

    folders = {str(p.parent.relative_to(SQL)) for p in SQL.rglob("schema") if p.is_dir()}
    assert folders == set(SCHEMA_STAGES)
