"""Building OpenLineage 2-0-2 events for tests and the benchmark."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

SCHEMA = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"
PRODUCER = "https://github.com/spld/tests"


def at(minutes: int) -> str:
    base = datetime.datetime(2026, 3, 1, 8, 0, tzinfo=datetime.UTC)
    return (base + datetime.timedelta(minutes=minutes)).isoformat().replace("+00:00", "Z")


def run_event(job: str, *, run_id: str | None = None, event_type: str = "COMPLETE",
              minute: int = 0, inputs: list[str] = (), outputs: list[str] = (),  # type: ignore[assignment]
              namespace: str = "eau-du-ponant", ds_namespace: str = "s3://eau",
              **extra: Any) -> dict[str, Any]:
    event = {
        "eventType": event_type, "eventTime": at(minute),
        "run": {"runId": run_id or str(uuid.uuid4()), "facets": {}},
        "job": {"namespace": namespace, "name": job, "facets": {}},
        "inputs": [{"namespace": ds_namespace, "name": n, "facets": {}} for n in inputs],
        "outputs": [{"namespace": ds_namespace, "name": n, "facets": {}} for n in outputs],
        "producer": PRODUCER, "schemaURL": SCHEMA,
    }
    event.update(extra)
    return event
