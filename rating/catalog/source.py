"""One catalog file's YAML, read with the line of every key and list item and its duplicate keys.

The catalog's problems name the file's line (`plans.yaml:13: plans[0]...`), so the file is
composed into PyYAML's node tree first: each node carries the line it starts on. Dates are kept
as the text written, so that a date that does not exist (`2025-13-01`) is reported by the
catalog's own check, with its file, line and key, instead of stopping the YAML reader.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

MERGE_TAG = "tag:yaml.org,2002:merge"


class CatalogLoader(yaml.SafeLoader):
    """PyYAML's safe loader, except that timestamps stay strings (parsed by the catalog)."""


def _timestamp_as_text(loader: yaml.SafeLoader, node: Node) -> str:
    assert isinstance(node, ScalarNode)
    return str(node.value)


CatalogLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_as_text)


@dataclass(frozen=True)
class DuplicateKey:
    """A key written twice in one mapping: YAML would keep only the last value."""

    path: str
    first_line: int
    line: int


@dataclass
class YamlFile:
    """A file's document (None when it holds nothing), the line of each path in it (1-based;
    `plans[0].charges` is the line of that key) and the keys it writes twice."""

    document: Any
    lines: dict[str, int] = field(default_factory=dict)
    duplicates: list[DuplicateKey] = field(default_factory=list)


def read_yaml(text: str) -> YamlFile:
    """The file's document with its lines; raises yaml.YAMLError when it is not valid YAML."""
    loader = CatalogLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return YamlFile(None)
        source = YamlFile(None, {"(top)": root.start_mark.line + 1})
        _record(root, "", source, set())
        source.document = loader.construct_document(root)
        return source
    finally:
        loader.dispose()


def _record(node: Node, path: str, source: YamlFile, seen: set[int]) -> None:
    # An alias repeats a node already walked: walking it again could grow without end.
    if id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            item_path = f"{path}[{index}]"
            source.lines.setdefault(item_path, item.start_mark.line + 1)
            _record(item, item_path, source, seen)
    elif isinstance(node, MappingNode):
        first_lines: dict[tuple[str, str], int] = {}
        for key, value in node.value:
            if not isinstance(key, ScalarNode) or key.tag == MERGE_TAG:
                continue
            key_path = f"{path}.{key.value}" if path else str(key.value)
            line = key.start_mark.line + 1
            if (key.tag, key.value) in first_lines:
                first = first_lines[(key.tag, key.value)]
                source.duplicates.append(DuplicateKey(key_path, first, line))
            first_lines.setdefault((key.tag, key.value), line)
            source.lines.setdefault(key_path, line)
            _record(value, key_path, source, seen)

