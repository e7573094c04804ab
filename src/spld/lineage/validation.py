"""Checking OpenLineage 2-0-2 events (RunEvent, JobEvent, DatasetEvent) by hand.

A hand-written check is several times faster than a JSON-Schema validator and names the
exact path of each bad field, which producers need to fix their emitters.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass, field
from typing import Any

RUN_STATES = ("START", "RUNNING", "COMPLETE", "ABORT", "FAIL", "OTHER")


@dataclass
class Checked:
    """A valid event in normalised form."""

    kind: str  # "run" | "job" | "dataset"
    event_time: datetime.datetime
    namespace: str  # the namespace that must belong to the sender
    event_type: str = ""
    run_id: uuid.UUID | None = None
    job: tuple[str, str] | None = None
    inputs: list[dict[str, Any]] = field(default_factory=list)
    outputs: list[dict[str, Any]] = field(default_factory=list)
    dataset: dict[str, Any] | None = None


class EventError(ValueError):
    """An invalid event; `errors` is a list of {"field": path, "message"}."""

    def __init__(self, errors: list[dict[str, str]]) -> None:
        super().__init__("; ".join(f"{e['field']}: {e['message']}" for e in errors))
        self.errors = errors


def _time(value: Any, path: str, errors: list[dict[str, str]]) -> datetime.datetime | None:
    if not isinstance(value, str) or not value:
        errors.append({"field": path, "message": "required ISO 8601 date-time"})
        return None
    try:
        parsed = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        errors.append({"field": path, "message": f"malformed date-time: {value[:40]!r}"})
        return None
    if parsed.tzinfo is None:
        errors.append({"field": path, "message": "date-time must carry a time zone offset"})
        return None
    return parsed


def _string(obj: dict[str, Any], key: str, path: str, errors: list[dict[str, str]]) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value.strip():
        errors.append({"field": f"{path}{key}", "message": "required non-empty string"})
        return ""
    if len(value) > 1000:
        errors.append({"field": f"{path}{key}", "message": "longer than 1000 characters"})
        return ""
    return value


def _facets(obj: dict[str, Any], key: str, path: str, errors: list[dict[str, str]]) -> None:
    if key in obj and obj[key] is not None and not isinstance(obj[key], dict):
        errors.append({"field": f"{path}{key}", "message": "facets must be an object"})


def _datasets(event: dict[str, Any], key: str,
              errors: list[dict[str, str]]) -> list[dict[str, Any]]:
    items = event.get(key)
    if items is None:
        return []
    if not isinstance(items, list):
        errors.append({"field": key, "message": "must be an array"})
        return []
    out = []
    for i, item in enumerate(items):
        path = f"{key}[{i}]."
        if not isinstance(item, dict):
            errors.append({"field": f"{key}[{i}]", "message": "must be an object"})
            continue
        ns = _string(item, "namespace", path, errors)
        name = _string(item, "name", path, errors)
        for facet_key in ("facets", "inputFacets", "outputFacets"):
            _facets(item, facet_key, path, errors)
        if ns and name:
            out.append(item)
    return out


def check(event: Any) -> Checked:
    """Validate one event; raise EventError naming every bad field's path."""
    if not isinstance(event, dict):
        raise EventError([{"field": "", "message": "an event is a JSON object"}])
    errors: list[dict[str, str]] = []
    event_time = _time(event.get("eventTime"), "eventTime", errors)
    _string(event, "producer", "", errors)
    _string(event, "schemaURL", "", errors)
    if "run" in event:
        kind = "run"
    elif "dataset" in event and "job" not in event:
        kind = "dataset"
    elif "job" in event:
        kind = "job"
    else:
        errors.append({"field": "run", "message": "required (or job, or dataset)"})
        raise EventError(errors)
    checked = Checked(kind=kind, event_time=event_time or datetime.datetime.min, namespace="")
    if kind in ("run", "job"):
        job = event.get("job")
        if not isinstance(job, dict):
            errors.append({"field": "job", "message": "required object"})
        else:
            ns = _string(job, "namespace", "job.", errors)
            name = _string(job, "name", "job.", errors)
            _facets(job, "facets", "job.", errors)
            checked.job = (ns, name)
            checked.namespace = ns
        checked.inputs = _datasets(event, "inputs", errors)
        checked.outputs = _datasets(event, "outputs", errors)
    if kind == "run":
        run = event.get("run")
        if not isinstance(run, dict):
            errors.append({"field": "run", "message": "required object"})
        else:
            raw = run.get("runId")
            try:
                checked.run_id = uuid.UUID(str(raw)) if isinstance(raw, str) else None
            except ValueError:
                checked.run_id = None
            if checked.run_id is None:
                errors.append({"field": "run.runId",
                               "message": f"malformed UUID: {str(raw)[:40]!r}"})
            _facets(run, "facets", "run.", errors)
        event_type = event.get("eventType", "OTHER")
        if event_type not in RUN_STATES:
            errors.append({"field": "eventType",
                           "message": f"one of {', '.join(RUN_STATES)}"})
        checked.event_type = str(event_type)
    if kind == "dataset":
        dataset = event.get("dataset")
        if not isinstance(dataset, dict):
            errors.append({"field": "dataset", "message": "required object"})
        else:
            ns = _string(dataset, "namespace", "dataset.", errors)
            _string(dataset, "name", "dataset.", errors)
            _facets(dataset, "facets", "dataset.", errors)
            checked.dataset = dataset
            checked.namespace = ns
    if errors:
        raise EventError(errors)
    return checked
