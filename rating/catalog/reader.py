"""Reading one catalog file's YAML tree, every problem collected with its file, line and path."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import Any

from rating.catalog.model import CODE_PATTERN, MAX_INTEGER_DIGITS, PRICE_DECIMALS

# The last step of a path: `.key` or `[index]`.
LAST_STEP = re.compile(r"(\.[^.\[\]]+|\[\d+\])$")


class Reader:
    """Collects problems while reading one file's YAML tree.

    `lines` gives the file's line of each path (see rating.catalog.source); a problem is written
    `file:line: path: message`, with the line of the path or, for a key that is missing, of the
    nearest mapping or list item that holds it.
    """

    def __init__(self, file: str, problems: list[str],
                 lines: dict[str, int] | None = None) -> None:
        self.file = file
        self.problems = problems
        self.lines = lines or {}

    def fail(self, path: str, message: str, *, line: int | None = None) -> None:
        line = line or self.line_of(path)
        where = f"{self.file}:{line}" if line else self.file
        self.problems.append(f"{where}: {path}: {message}")

    def line_of(self, path: str) -> int | None:
        step = path.removeprefix("(top).")
        while step:
            if step in self.lines:
                return self.lines[step]
            shorter = LAST_STEP.sub("", step)
            if shorter == step:
                break
            step = shorter
        return None

    def mapping(self, node: Any, path: str) -> dict[str, Any] | None:
        if not isinstance(node, dict):
            self.fail(path, f"expected a mapping, found {kind_of(node)}")
            return None
        return node

    def unknown_keys(self, node: dict[str, Any], path: str, allowed: set[str]) -> None:
        for key in sorted(set(node) - allowed, key=str):
            self.fail(f"{path}.{key}", f"unknown key; expected one of {', '.join(sorted(allowed))}")

    def text(self, node: dict[str, Any], key: str, path: str, *, required: bool = True,
             code: bool = False) -> str | None:
        value = node.get(key)
        if value is None:
            if required:
                self.fail(f"{path}.{key}", "missing; expected a string")
            return None
        if not isinstance(value, str) or not value.strip():
            self.fail(f"{path}.{key}", f"expected a non-empty string, found {kind_of(value)}")
            return None
        if code and not CODE_PATTERN.match(value):
            self.fail(f"{path}.{key}", f"{value!r} is not a code; expected lower-case letters, "
                      "digits, '_', '.' or '-'")
            return None
        return value

    def decimal(self, node: dict[str, Any], key: str, path: str, *, required: bool = False,
                positive: bool = False, decimals: int = PRICE_DECIMALS) -> Decimal | None:
        value = node.get(key)
        if value is None:
            if required:
                self.fail(f"{path}.{key}", "missing; expected a number (write prices as strings)")
            return None
        if isinstance(value, bool) or not isinstance(value, (int, str, float)):
            self.fail(f"{path}.{key}", f"expected a number, found {kind_of(value)}")
            return None
        if isinstance(value, float):
            # YAML floats are binary: 0.1 is not 0.1. Money must be written as a string.
            self.fail(f"{path}.{key}", f"{value!r} is a binary float; write it as a string, "
                      f"e.g. '{value}'")
            return None
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            self.fail(f"{path}.{key}", f"{value!r} is not a number")
            return None
        if not number.is_finite() or number < 0 or (positive and number == 0):
            expected = "greater than zero" if positive else "zero or more"
            self.fail(f"{path}.{key}", f"{value!r} is out of range; expected a number {expected}")
            return None
        exponent = number.as_tuple().exponent
        assert isinstance(exponent, int)
        if -exponent > decimals:
            self.fail(f"{path}.{key}", f"{value!r} has more than {decimals} decimals")
            return None
        if exponent > 0:
            # '1e6' parses as Decimal('1E+6'), which DuckDB's client binds as 1: write it out.
            number = number.quantize(Decimal(1))
        if number >= Decimal(10) ** MAX_INTEGER_DIGITS:
            self.fail(f"{path}.{key}", f"{value!r} is too large")
            return None
        return number

    def items(self, node: dict[str, Any], key: str, path: str) -> Iterator[tuple[str, Any]]:
        value = node.get(key)
        if value is None:
            return
        if not isinstance(value, list):
            self.fail(f"{path}.{key}", f"expected a list, found {kind_of(value)}")
            return
        prefix = f"{path}.{key}" if path else key
        for index, item in enumerate(value):
            yield f"{prefix}[{index}]", item


# One item of a file's top-level list: the file's reader, its path in the file, its mapping.
Entry = tuple[Reader, str, dict[str, Any]]


def kind_of(value: Any) -> str:
    if value is None:
        return "nothing"
    return {dict: "a mapping", list: "a list", str: "a string", bool: "a boolean",
            int: "an integer", float: "a float"}.get(type(value), type(value).__name__)
