"""The warehouse documents itself: `COMMENT ON` every table, view and column, from the schema.

The single source of the documentation is the `--` comments of the CREATE statements in
`sql/<stage>/schema/*.sql`, where a developer reads them beside the column's type and where a
new column is written: a table's (or view's) comment is the comment block above its CREATE; a
column's is the comment at the end of its line, continued by the comment-only lines under it.
A table column is named by the first word of its line, a view column by the last word before
its comment (`... AS margin,  -- ...`), so a view lists one column per line.

`rating.warehouse.create_schema` calls `document` after the schema files ran, which happens
only when they changed since they last ran on the warehouse: comments are compared with what
DuckDB's catalog holds and only those that differ are issued (on a fresh warehouse all of them;
after the views were replaced, theirs). The analysts' copy is a copy of the file: it has them.
tests/test_schema_docs.py fails when a column of a fresh warehouse has no comment.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from rating import warehouse

_CREATE = re.compile(
    r"^CREATE\s+(?:OR\s+REPLACE\s+)?(?P<kind>TABLE|VIEW)\s+(?:IF\s+NOT\s+EXISTS\s+)?"
    r"(?P<name>[a-z_][a-z0-9_]*)", re.IGNORECASE)
_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*")
_CONSTRAINT = re.compile(r"^(PRIMARY|UNIQUE|CHECK|FOREIGN|CONSTRAINT)\b", re.IGNORECASE)
_LAST_WORD = re.compile(r"([a-z_][a-z0-9_]*)\s*,?\s*$")


@dataclass(frozen=True)
class Documented:
    """A table or view as its schema file documents it."""

    kind: str  # 'TABLE' | 'VIEW'
    name: str
    comment: str
    columns: tuple[tuple[str, str], ...]  # (column, comment), in the file's order


class UndocumentedSchema(ValueError):
    """A schema file's CREATE lacks the comments the warehouse's documentation is made from."""


def parse(text: str, source: str = "<schema>") -> Documented | None:
    """The documentation of the CREATE TABLE or VIEW in `text`; None for another statement
    (an ALTER, a macro): an added column is documented in its table's CREATE."""
    lines = text.splitlines()
    start = next((n for n, line in enumerate(lines) if _CREATE.match(line)), None)
    if start is None:
        return None
    found = _CREATE.match(lines[start])
    assert found is not None
    header = [line for line in lines[:start] if line.startswith("--")]
    comment = _join(line[2:] for line in header)
    if not comment:
        raise UndocumentedSchema(f"{source}: no comment above CREATE {found['name']}")
    body = lines[start:] if found["kind"].upper() == "VIEW" else lines[start + 1:]
    columns = (_view_columns(body) if found["kind"].upper() == "VIEW"
               else _table_columns(body, source))
    return Documented(found["kind"].upper(), found["name"], comment, tuple(columns))


def _table_columns(body: list[str], source: str) -> list[tuple[str, str]]:
    """Columns of a CREATE TABLE's column list: a line at the list's depth that starts a
    column (not a constraint, not the inside of a STRUCT spanning lines)."""
    columns: list[tuple[str, list[str]]] = []
    depth = 1
    for line in body:
        code, _, remark = line.partition("--")
        word = _IDENTIFIER.match(code.strip())
        if depth == 1 and word and not _CONSTRAINT.match(code.strip()):
            columns.append((word.group(), [remark] if remark.strip() else []))
        elif remark.strip():  # under a column, or inside its type (a STRUCT's lines)
            if not columns:
                raise UndocumentedSchema(f"{source}: a comment before the first column")
            columns[-1][1].append(remark)
        depth += code.count("(") - code.count(")")
        if depth <= 0:
            break
    return [(name, _join(parts)) for name, parts in columns]


def _view_columns(body: list[str]) -> list[tuple[str, str]]:
    """Columns of a view's SELECT list: each line names one by its last word, documented by
    its comment and the comment-only lines under it (a line without any names none)."""
    columns: list[tuple[str, list[str]]] = []
    for line in body:
        code, _, remark = line.partition("--")
        if re.match(r"\s*FROM\b", code, re.IGNORECASE):
            break
        word = _LAST_WORD.search(code)
        if code.strip() and word:
            columns.append((word.group(1), [remark]))
        elif not code.strip() and remark.strip() and columns:
            columns[-1][1].append(remark)
    return [(name, _join(parts)) for name, parts in columns if _join(parts)]


def _join(parts: Iterator[str] | list[str]) -> str:
    return " ".join(part.strip() for part in parts if part.strip())


@cache
def schema_documentation() -> tuple[Documented, ...]:
    """Every table and view the schema files create, documented, in creation order."""
    found = []
    for path in warehouse.schema_files():
        documented = parse(path.read_text(encoding="utf-8"), _relative(path))
        if documented is not None:
            found.append(documented)
    return tuple(found)


def _relative(path: Path) -> str:
    return str(path.relative_to(warehouse.SQL_ROOT.parent))


def literal(text: str) -> str:
    """`text` as a SQL string literal: COMMENT ON takes no parameter, only a literal."""
    return "'" + text.replace("'", "''") + "'"


def statements(con: Any) -> list[str]:
    """The COMMENT ON statements that bring the catalog's comments to the schema files'.

    The only SQL this project builds at run time besides `rating.ingest.landing`'s projection:
    DuckDB's COMMENT ON accepts no parameter. The names come from our own schema files and
    match `[a-z_][a-z0-9_]*` (the parser's patterns), and the text is quoted by `literal`.
    """
    held = {(row["table_name"], row["column_name"]): row["comment"]
            for row in warehouse.rows(con, "warehouse/comments")}
    wanted: list[str] = []
    for item in schema_documentation():
        if (item.name, None) not in held:
            continue  # an ALTER TABLE IF EXISTS's table, not created in this warehouse
        if held[(item.name, None)] != item.comment:
            wanted.append(f"COMMENT ON {item.kind} {item.name} IS {literal(item.comment)}")
        for column, comment in item.columns:
            if (item.name, column) in held and held[(item.name, column)] != comment:
                wanted.append(f"COMMENT ON COLUMN {item.name}.{column} IS {literal(comment)}")
    return wanted


def document(con: Any) -> int:
    """Issue the comments the catalog lacks (none on a warehouse already documented); how
    many."""
    wanted = statements(con)
    for statement in wanted:
        con.execute(statement)
    return len(wanted)
