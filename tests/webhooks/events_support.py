"""The outbox as the tests read it: events by key, their payloads decoded."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.support.usage_builder import rows


def events(wh: Path, event_type: str | None = None) -> dict[str, dict[str, Any]]:
    """Each event's payload (decoded) by event_key, with its outbox columns under "_row"."""
    found = rows(wh, "SELECT event_key, event_id, event_type, service, ordering_key, payload "
                     "FROM webhook_events ORDER BY event_seq")
    return {key: {**json.loads(payload), "_row": (event_id, kind, service, ordering)}
            for key, event_id, kind, service, ordering, payload in found
            if event_type is None or kind == event_type}


def count(wh: Path) -> int:
    return int(rows(wh, "SELECT count(*) FROM webhook_events")[0][0])
