"""Ingesting OpenLineage events in batches, and registering dataset aliases."""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import json
import uuid
import zlib
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import timezone
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


def _digest(event: Any) -> tuple[str, str]:
    """(SHA-256, JSON text): sorted keys make a resent event hash identically."""
    text = json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest(), text


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
    texts: dict[str, str] = {}
    for i, raw in enumerate(events):
        try:
            c = check(raw)
        except EventError as exc:
            summary[i].update(status="invalid", errors=exc.errors)
            continue
        digest, text = _digest(raw)
        checked.append((i, c, raw, digest))
        texts[digest] = text
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
        # Batches touching the same namespaces take turns (PostgreSQL row locks; SQLite
        # already serialises writers), so a run's START and COMPLETE never race.
        locked = list(Namespace.objects.select_for_update().filter(
            name__in={c.namespace for _, c, _, _ in accepted}).order_by("name").values_list(
            "name", "organization_id"))
        stolen = {name for name, owner in locked if owner != organization.pk}
        if stolen:  # claimed by another organisation between our read and our insert
            for i, c, _raw, _dig in accepted:
                if c.namespace in stolen:
                    summary[i].update(status="forbidden", errors=[{
                        "field": "job.namespace", "message": _(
                            "Cet espace de noms appartient à une autre organisation.")}])
            accepted = [t for t in accepted if t[1].namespace not in stolen]
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
            _apply(organization, fresh, texts)
    for i, c, _raw, _dig in checked:
        if c.run_id:
            summary[i]["run_id"] = str(c.run_id)
    return summary


def _adapters(model: type, columns: list[str]) -> list[tuple[int, Any]]:
    """(column index, adapter) for the columns whose Python values need converting.

    Raw parameters because the ORM's per-row cost is too high for ingestion; only UUID,
    date-time and JSON columns need help, and only those are touched.
    """
    postgres = connection.vendor == "postgresql"
    utc = datetime.UTC
    out: list[tuple[int, Any]] = []
    for i, column in enumerate(columns):
        # get_field also knows attnames: "run_id" of RunDataset is its foreign key.
        kind = model._meta.get_field(column).get_internal_type()  # type: ignore[attr-defined]
        if kind == "UUIDField" and not postgres:
            out.append((i, lambda v: v.hex if v is not None else None))
        elif kind == "DateTimeField" and not postgres:
            # SQLite keeps naive UTC text, as Django's own adapter does.
            out.append((i, lambda v: str(v.astimezone(utc).replace(tzinfo=None))
                        if v is not None else None))
        elif kind == "JSONField":
            out.append((i, lambda v: json.dumps(v, ensure_ascii=False)))
    return out


def _pg_type(field: Any) -> str:
    """The PostgreSQL type of a column, for the array cast (foreign keys: their target's)."""
    if field.is_relation:
        field = field.target_field
    kind = field.db_type(connection)
    return {"serial": "integer", "bigserial": "bigint"}.get(kind, kind)


def _adapt(rows: list[tuple[Any, ...]], adapters: list[tuple[int, Any]]) -> list[list[Any]]:
    out = []
    for row in rows:
        values = list(row)
        for i, fn in adapters:
            values[i] = fn(values[i])
        out.append(values)
    return out


def _insert(model: type, columns: list[str], rows: list[tuple[Any, ...]],
            conflict: str) -> None:
    """Multi-row INSERT … ON CONFLICT DO NOTHING (SQLite ≥ 3.24 and PostgreSQL)."""
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)  # type: ignore[attr-defined]
    cols = ", ".join(connection.ops.quote_name(c) for c in columns)
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    values = _adapt(rows, _adapters(model, columns))
    if connection.vendor == "postgresql":
        # One array per column, unnested server-side: a single short statement per table,
        # whatever the number of rows (client-side parsing of huge VALUES lists is slow).
        fields = [model._meta.get_field(c) for c in columns]  # type: ignore[attr-defined]
        arrays = ", ".join(f"%s::{_pg_type(f)}[]" for f in fields)
        sql = (f"INSERT INTO {table} ({cols}) SELECT * FROM unnest({arrays}) "  # noqa: S608
               f"ON CONFLICT ({conflict}) DO NOTHING")
        with connection.cursor() as cursor:
            cursor.execute(sql, [list(col) for col in zip(*values, strict=True)])
        return
    # SQLite: multi-row VALUES in chunks below its bound-parameter limit (32,766).
    step = max(1, 30000 // len(columns))
    with connection.cursor() as cursor:
        for start in range(0, len(values), step):
            chunk = values[start:start + step]
            sql = (f"INSERT INTO {table} ({cols}) VALUES "  # noqa: S608  (names quoted)
                   f"{', '.join([one] * len(chunk))} ON CONFLICT ({conflict}) DO NOTHING")
            cursor.execute(sql, [v for row in chunk for v in row])


RUN_FIELDS = ["id", "run_id", "job_id", "state", "started_at", "ended_at", "event_time",
              "parent_run_id", "facets"]


def _apply(organization: Any, fresh: list[tuple[int, Checked, dict[str, Any], str]],
           texts: dict[str, str]) -> None:
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
    runs: dict[Any, dict[str, Any]] = {
        r["run_id"]: r for r in Run.objects.filter(run_id__in=run_ids).values(*RUN_FIELDS)}
    touched: set[Any] = set()
    edges: set[tuple[int, int, str]] = set()
    links: dict[tuple[Any, int, str], tuple[str, datetime.datetime]] = {}
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
                    edges.add((jobs[c.job].pk, datasets[(item["namespace"], item["name"])].pk,
                               direction))
        if c.kind != "run":
            continue
        run = runs.get(c.run_id)
        if run is None:
            run = runs[c.run_id] = {"id": None, "run_id": c.run_id, "job_id": jobs[c.job].pk,
                                    "state": c.event_type, "started_at": None,
                                    "ended_at": None, "event_time": c.event_time,
                                    "parent_run_id": None, "facets": {}}
        touched.add(c.run_id)
        if c.event_time >= run["event_time"]:
            run["state"], run["event_time"] = c.event_type, c.event_time
        if c.event_type == "START" and (run["started_at"] is None
                                        or c.event_time < run["started_at"]):
            run["started_at"] = c.event_time
        if c.event_type in TERMINAL:
            run["ended_at"] = c.event_time
        run_facets = (raw.get("run") or {}).get("facets") or {}
        _merge_facets(run["facets"], run_facets)
        parent = (run_facets.get("parent") or {}).get("run", {}) if isinstance(
            run_facets, dict) else {}
        if isinstance(parent, dict) and parent.get("runId"):
            # A malformed parent facet stays in the facets, not as a link.
            with contextlib.suppress(ValueError):
                run["parent_run_id"] = uuid.UUID(str(parent["runId"]))
        for direction, items in (("in", c.inputs), ("out", c.outputs)):
            for item in items:
                key = (c.run_id, datasets[(item["namespace"], item["name"])].pk, direction)
                version = _version(item) or (str(c.run_id) if direction == "out" else "")
                if key not in links or (version and not links[key][0]):
                    links[key] = (version, links.get(key, (None, c.event_time))[1])
    fields = RUN_FIELDS[1:]
    _insert(Run, fields, [tuple(r[f] for f in fields) for rid, r in runs.items()
                          if r["id"] is None], "run_id")
    old = [r for rid, r in runs.items() if r["id"] is not None and rid in touched]
    if old:
        table = connection.ops.quote_name(Run._meta.db_table)
        sets = ", ".join(f"{connection.ops.quote_name(f)} = %s" for f in fields[2:])
        rows = _adapt([tuple(r[f] for f in fields[2:]) + (r["id"],) for r in old],
                      _adapters(Run, [*fields[2:], "id"]))
        with connection.cursor() as cursor:
            cursor.executemany(f"UPDATE {table} SET {sets} WHERE id = %s",  # noqa: S608
                               rows)
    ids = dict(Run.objects.filter(run_id__in=list(runs)).values_list("run_id", "id"))
    _insert(RunDataset, ["run_id", "dataset_id", "direction", "version", "event_time"],
            [(ids[rid], ds, direction, version, at)
             for (rid, ds, direction), (version, at) in links.items()],
            "run_id, dataset_id, direction")
    _insert(JobEdge, ["job_id", "dataset_id", "direction"], sorted(edges),
            "job_id, dataset_id, direction")
    if changed_jobs:
        Job.objects.bulk_update([j for j in jobs.values() if j.pk in changed_jobs], ["facets"])
    if changed_datasets:
        Dataset.objects.bulk_update([d for d in datasets.values() if d.pk in changed_datasets],
                                    ["facets"])
    now = timezone.now()
    _insert(Event, ["digest", "organization_id", "kind", "event_type", "event_time", "run_id",
                    "compressed", "received_at"],
            [(digest, organization.pk, c.kind, c.event_type, c.event_time, c.run_id,
              zlib.compress(texts[digest].encode(), 1), now)
             for _, c, raw, digest in fresh], "digest")


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
