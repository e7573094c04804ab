"""Ingesting OpenLineage events in batches, and registering dataset aliases."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from spld.core.permissions import require
from spld.lineage.models import (
    Dataset,
    DatasetAlias,
    Event,
    Job,
    JobEdge,
    Namespace,
    Run,
    RunDataset,
)
from spld.lineage.validation import Checked, EventError, check

TERMINAL = {"COMPLETE", "FAIL", "ABORT"}


def _digest(event: Any) -> str:
    # Sorted keys make the same event resent by a retrying producer hash identically.
    return hashlib.sha256(json.dumps(event, sort_keys=True, separators=(",", ":"),
                                     ensure_ascii=False).encode()).hexdigest()


def _version(item: dict[str, Any]) -> str:
    facets = item.get("facets") or {}
    version = facets.get("version") if isinstance(facets, dict) else None
    if isinstance(version, dict) and version.get("datasetVersion"):
        return str(version["datasetVersion"])[:200]
    return ""


def _get_or_create_many(model: type, keys: set[tuple[str, str]]) -> dict[tuple[str, str], Any]:
    """Rows of (namespace, name) keys, creating the missing ones in one statement."""
    if not keys:
        return {}
    nss = {k[0] for k in keys}
    names = {k[1] for k in keys}
    found = {(o.namespace, o.name): o for o in model.objects.filter(  # type: ignore[attr-defined]
        namespace__in=nss, name__in=names)}
    missing = [model(namespace=ns, name=name) for ns, name in keys if (ns, name) not in found]
    if missing:
        model.objects.bulk_create(missing, ignore_conflicts=True)  # type: ignore[attr-defined]
        found.update({(o.namespace, o.name): o for o in model.objects.filter(  # type: ignore[attr-defined]
            namespace__in={m.namespace for m in missing}, name__in={m.name for m in missing})})
    return found


def _merge_facets(target: dict[str, Any], facets: Any) -> bool:
    if isinstance(facets, dict) and facets:
        target.update(facets)
        return True
    return False


def ingest(*, actor: Any, events: list[Any]) -> list[dict[str, Any]]:
    """Store a batch of events; one summary per event (created, duplicate, invalid, forbidden)."""
    require(actor, "lineage.send", getattr(actor, "organization", None))
    organization = actor.organization
    summary: list[dict[str, Any]] = [{"index": i} for i in range(len(events))]
    checked: list[tuple[int, Checked, dict[str, Any], str]] = []
    for i, raw in enumerate(events):
        try:
            c = check(raw)
        except EventError as exc:
            summary[i].update(status="invalid", errors=exc.errors)
            continue
        checked.append((i, c, raw, _digest(raw)))
    with transaction.atomic():
        owners = dict(Namespace.objects.filter(
            name__in={c.namespace for _, c, _, _ in checked}).values_list(
            "name", "organization_id"))
        claims = []
        accepted = []
        for i, c, raw, digest in checked:
            owner = owners.get(c.namespace)
            if owner is None:
                # First use of a namespace claims it for the sender's organisation.
                owners[c.namespace] = organization.pk
                claims.append(Namespace(name=c.namespace, organization=organization))
            elif owner != organization.pk:
                summary[i].update(status="forbidden", errors=[{
                    "field": "job.namespace" if c.kind != "dataset" else "dataset.namespace",
                    "message": _("Cet espace de noms appartient à une autre organisation."),
                }])
                continue
            accepted.append((i, c, raw, digest))
        if claims:
            Namespace.objects.bulk_create(claims, ignore_conflicts=True)
        existing = set(Event.objects.filter(
            digest__in=[d for *_, d in accepted]).values_list("digest", flat=True))
        fresh = []
        seen: set[str] = set()
        for i, c, raw, digest in accepted:
            if digest in existing or digest in seen:
                summary[i].update(status="duplicate")
                continue
            seen.add(digest)
            summary[i].update(status="created")
            fresh.append((i, c, raw, digest))
        if fresh:
            _apply(organization, fresh)
    for i, c, _raw, _dig in checked:
        if c.run_id:
            summary[i]["run_id"] = str(c.run_id)
    return summary


def _apply(organization: Any, fresh: list[tuple[int, Checked, dict[str, Any], str]]) -> None:
    """Write the graph rows of new events (a few statements per batch, not per event)."""
    fresh.sort(key=lambda t: t[1].event_time)
    job_keys = {c.job for _, c, _, _ in fresh if c.job}
    ds_keys = {(d["namespace"], d["name"]) for _, c, _, _ in fresh
               for d in (*c.inputs, *c.outputs)}
    ds_keys |= {(c.dataset["namespace"], c.dataset["name"]) for _, c, _, _ in fresh
                if c.dataset}
    jobs = _get_or_create_many(Job, job_keys)  # type: ignore[arg-type]
    datasets = _get_or_create_many(Dataset, ds_keys)
    changed_jobs: set[int] = set()
    changed_datasets: set[int] = set()
    run_ids = {c.run_id for _, c, _, _ in fresh if c.run_id}
    runs = {r.run_id: r for r in Run.objects.filter(run_id__in=run_ids)}
    new_runs: dict[Any, Run] = {}
    edges = []
    links = []
    for _i, c, raw, _dig in fresh:
        if c.job:
            job = jobs[c.job]
            if _merge_facets(job.facets, (raw.get("job") or {}).get("facets")):
                changed_jobs.add(job.pk)
        for item in (*c.inputs, *c.outputs):
            ds = datasets[(item["namespace"], item["name"])]
            if _merge_facets(ds.facets, item.get("facets")):
                changed_datasets.add(ds.pk)
        if c.dataset:
            ds = datasets[(c.dataset["namespace"], c.dataset["name"])]
            if _merge_facets(ds.facets, c.dataset.get("facets")):
                changed_datasets.add(ds.pk)
        if c.job:
            for direction, items in (("in", c.inputs), ("out", c.outputs)):
                for item in items:
                    edges.append(JobEdge(job=jobs[c.job],
                                         dataset=datasets[(item["namespace"], item["name"])],
                                         direction=direction))
        if c.kind != "run":
            continue
        run = runs.get(c.run_id) or new_runs.get(c.run_id)
        if run is None:
            run = Run(run_id=c.run_id, job=jobs[c.job], state=c.event_type,
                      event_time=c.event_time, facets={})
            new_runs[c.run_id] = run
        if c.event_time >= run.event_time:
            run.state, run.event_time = c.event_type, c.event_time
        if c.event_type == "START" and (run.started_at is None or c.event_time < run.started_at):
            run.started_at = c.event_time
        if c.event_type in TERMINAL:
            run.ended_at = c.event_time
        run_facets = (raw.get("run") or {}).get("facets") or {}
        _merge_facets(run.facets, run_facets)
        parent = (run_facets.get("parent") or {}).get("run", {}) if isinstance(
            run_facets, dict) else {}
        if isinstance(parent, dict) and parent.get("runId"):
            run.parent_run_id = parent["runId"]
        run._links = getattr(run, "_links", [])  # type: ignore[attr-defined]
        for direction, items in (("in", c.inputs), ("out", c.outputs)):
            for item in items:
                version = _version(item) or (str(c.run_id) if direction == "out" else "")
                run._links.append((datasets[(item["namespace"], item["name"])], direction,  # type: ignore[attr-defined]
                                   version, c.event_time))
    if new_runs:
        Run.objects.bulk_create(list(new_runs.values()), ignore_conflicts=True)
        stored = {r.run_id: r for r in Run.objects.filter(run_id__in=list(new_runs))}
        for run_id, run in new_runs.items():
            run.pk = stored[run_id].pk
    touched = [r for r in runs.values() if getattr(r, "_links", None) is not None]
    if touched:
        Run.objects.bulk_update(touched, ["state", "event_time", "started_at", "ended_at",
                                          "parent_run_id", "facets"])
    for run in [*runs.values(), *new_runs.values()]:
        for ds, direction, version, at in getattr(run, "_links", []):
            links.append(RunDataset(run_id=run.pk, dataset=ds, direction=direction,
                                    version=version, event_time=at))
    RunDataset.objects.bulk_create(links, ignore_conflicts=True)
    JobEdge.objects.bulk_create(edges, ignore_conflicts=True)
    if changed_jobs:
        Job.objects.bulk_update([j for j in jobs.values() if j.pk in changed_jobs], ["facets"])
    if changed_datasets:
        Dataset.objects.bulk_update([d for d in datasets.values() if d.pk in changed_datasets],
                                    ["facets"])
    Event.objects.bulk_create([
        Event(digest=digest, organization=organization, kind=c.kind, event_type=c.event_type,
              event_time=c.event_time, run_id=c.run_id, payload=raw)
        for _, c, raw, digest in fresh
    ], ignore_conflicts=True)


def ingest_one(*, actor: Any, event: Any) -> dict[str, Any]:
    """Store one event; raise EventError (400) or PermissionDenied (403) when refused."""
    result = ingest(actor=actor, events=[event])[0]
    if result["status"] == "invalid":
        raise EventError(result["errors"])
    if result["status"] == "forbidden":
        raise PermissionDenied(result["errors"][0]["message"])
    return result


def register_alias(*, actor: Any, namespace: str, name: str, catalog_dataset: Any) -> DatasetAlias:
    """Say that the OpenLineage dataset (namespace, name) is this catalogue dataset."""
    require(actor, "lineage.alias", catalog_dataset)
    with transaction.atomic():
        alias, _created = DatasetAlias.objects.update_or_create(
            namespace=namespace, name=name, defaults={"catalog_dataset": catalog_dataset})
    return alias
