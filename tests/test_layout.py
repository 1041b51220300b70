"""The code stays readable in one sitting: sizes of modules, functions and classes.

Issue 11's limits for the product code (rating/, assets/, pipelines/): a module of at most
about 400 lines, a function of at most about 60, a class of at most about 150. A change that
needs more splits the room instead of raising the limit.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

pytestmark = pytest.mark.fast
ROOT = Path(__file__).resolve().parent.parent
CODE = [path for folder in ("rating", "assets", "pipelines")
        for path in sorted((ROOT / folder).rglob("*.py"))]
MODULE_LINES, FUNCTION_LINES, CLASS_LINES = 400, 60, 150


def _oversized() -> list[str]:
    found = []
    for path in CODE:
        text = path.read_text(encoding="utf-8")
        where = path.relative_to(ROOT)
        if len(text.splitlines()) > MODULE_LINES:
            found.append(f"{where}: {len(text.splitlines())} lines")
        for node in ast.walk(ast.parse(text)):
            size = (node.end_lineno or node.lineno) - node.lineno + 1 \
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) else 0
            limit = CLASS_LINES if isinstance(node, ast.ClassDef) else FUNCTION_LINES
            if size > limit:
                found.append(f"{where}:{node.lineno} {node.name}: {size} lines")  # type: ignore[attr-defined]
    return found


def test_no_module_function_or_class_outgrows_its_limit() -> None:
    assert _oversized() == []


def test_every_package_of_the_tree_is_in_pyprojects_package_list() -> None:
    listed = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))[
        "tool"]["setuptools"]["packages"]
    found = {".".join(init.parent.relative_to(ROOT).parts) for folder in ("rating", "assets",
             "pipelines") for init in (ROOT / folder).rglob("__init__.py")}
    assert sorted(listed) == sorted(found)
