"""File names as DuckDB's readers take them: every path is a glob pattern to them.

A usage file is read by its exact name (`literal_path`); a name no pattern can address
exactly is held by name with the fix, renaming the file (`unaddressable`).
"""

from __future__ import annotations

# Reference and finance files with such names are still held by name (rating.ingest.tables).
GLOB_CHARACTERS = "[*?"
GLOB_NAME_ERROR = ("the file name contains a glob character ([, * or ?), which DuckDB's readers "
                   "would expand to other files: rename the file")


def literal_path(path: str) -> str:
    """`path` as DuckDB's readers must be given it to read that one file: they take every path
    as a glob pattern (x[1].parquet would read x1.parquet, y*.parquet every y...), and a
    bracketed character is a class of one, so `[`, `*` and `?` are matched literally."""
    return "".join(f"[{c}]" if c in "[*?" else c for c in path)


def unaddressable(path: str, relative: str) -> str | None:
    r"""Why DuckDB cannot read the file at `path` (`relative` under the landing root) by its
    exact name, or None.

    Measured with DuckDB 1.5.5: on a local disk a name with `\` and a glob character is
    expanded with `\` taken as a folder separator (a\b[1].parquet reads a/b[1].parquet); an
    s3:// URL ends at `?` (the rest is read as query parameters, and the read fails) and an
    object whose key has `\` is never found. `{`, `}`, `#`, `%` and spaces read as they are."""
    if path.startswith("s3://") and "?" in path:
        problem, character = ("DuckDB reads what follows ? in an s3:// URL as query "
                              "parameters"), "?"
    elif path.startswith("s3://") and "\\" in path:
        problem, character = "DuckDB does not find an s3:// object whose key has \\", "\\"
    elif "\\" in path and any(c in GLOB_CHARACTERS for c in path):
        problem, character = ("DuckDB takes \\ for a folder separator in a name with [, * or ?,"
                              " so it would read another file"), "\\"
    else:
        return None
    return f"{relative} cannot be read by its exact name: {problem}; rename it without {character}"
