"""Lineage queries: the merged graph around a node, and the exact upstream of one run."""

from __future__ import annotations

import uuid
from collections import deque
from typing import Any

from django.db.models import OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from spld.lineage.models import Dataset, DatasetAlias, Job, JobEdge, Run, RunDataset

MAX_DEPTH = 20
MAX_NODES = 5000


def resolve_node(node: str) -> Job | Dataset | None:
    """`job:{ns}:{name}` or `dataset:{ns}:{name}`; namespaces may themselves contain ':'."""
    kind, sep, rest = node.partition(":")
    model = {"job": Job, "dataset": Dataset}.get(kind)
    # Bounded so that a hostile node id cannot build an enormous query.
    if model is None or not sep or ":" not in rest or len(rest) > 2100 or rest.count(":") > 30:
        return None
    # Try every split point: "postgres://db:5432:public.t" is ambiguous without a lookup.
    candidates = []
    for i, ch in enumerate(rest):
        if ch == ":" and 0 < i < len(rest) - 1:
            candidates.append((rest[:i], rest[i + 1:]))
    query = Q()
    for ns, name in candidates:
        query |= Q(namespace=ns, name=name)
    return model.objects.filter(query).first()  # type: ignore[attr-defined]


def _aliases(datasets: list[Dataset]) -> dict[tuple[str, str], Any]:
    if not datasets:
        return {}
    rows = DatasetAlias.objects.select_related("catalog_dataset").filter(
        namespace__in={d.namespace for d in datasets}, name__in={d.name for d in datasets})
    return {(a.namespace, a.name): a.catalog_dataset for a in rows}


def _dataset_node(ds: Dataset, aliases: dict[tuple[str, str], Any]) -> dict[str, Any]:
    node = {"id": ds.node_id, "type": "dataset", "namespace": ds.namespace, "name": ds.name}
    catalog = aliases.get((ds.namespace, ds.name))
    if catalog is not None:
        node["catalog"] = {"slug": catalog.slug, "title": catalog.title,
                           "url": catalog.get_absolute_url()}
    return node


def graph(start: Job | Dataset, *, depth: int, direction: str = "both") -> dict[str, Any]:
    """Nodes and edges within `depth` job hops of `start` (cycle-safe breadth-first walk)."""
    depth = max(0, min(depth, MAX_DEPTH))
    jobs: dict[int, Job] = {}
    datasets: dict[int, Dataset] = {}
    edges: set[tuple[str, str]] = set()
    queue: deque[tuple[str, int, int]] = deque()
    if isinstance(start, Job):
        jobs[start.pk] = start
        queue.append(("job", start.pk, 0))
    else:
        datasets[start.pk] = start
        queue.append(("dataset", start.pk, 0))
    visited = {(queue[0][0], queue[0][1])}
    while queue and len(jobs) + len(datasets) < MAX_NODES:
        kind, pk, level = queue.popleft()
        if level >= depth * 2:  # one job hop = dataset → job → dataset
            continue
        if kind == "job":
            rows = JobEdge.objects.filter(job_id=pk).select_related("dataset")
            if direction == "upstream":
                rows = rows.filter(direction="in")
            elif direction == "downstream":
                rows = rows.filter(direction="out")
            for e in rows:
                datasets[e.dataset_id] = e.dataset
                pair = (e.dataset.node_id, jobs[pk].node_id) if e.direction == "in" else (
                    jobs[pk].node_id, e.dataset.node_id)
                edges.add(pair)
                if ("dataset", e.dataset_id) not in visited:
                    visited.add(("dataset", e.dataset_id))
                    queue.append(("dataset", e.dataset_id, level + 1))
        else:
            rows = JobEdge.objects.filter(dataset_id=pk).select_related("job")
            if direction == "upstream":
                rows = rows.filter(direction="out")
            elif direction == "downstream":
                rows = rows.filter(direction="in")
            for e in rows:
                jobs[e.job_id] = e.job
                pair = (datasets[pk].node_id, e.job.node_id) if e.direction == "in" else (
                    e.job.node_id, datasets[pk].node_id)
                edges.add(pair)
                if ("job", e.job_id) not in visited:
                    visited.add(("job", e.job_id))
                    queue.append(("job", e.job_id, level + 1))
    aliases = _aliases(list(datasets.values()))
    nodes = [{"id": j.node_id, "type": "job", "namespace": j.namespace, "name": j.name}
             for j in jobs.values()]
    nodes += [_dataset_node(d, aliases) for d in datasets.values()]
    return {"node": start.node_id, "depth": depth, "direction": direction, "nodes": nodes,
            "edges": [{"source": a, "target": b} for a, b in sorted(edges)],
            "has_cycle": _has_cycle(edges), "truncated": bool(queue)}


def _has_cycle(edges: set[tuple[str, str]]) -> bool:
    """Kahn's algorithm: a cycle is what is left once every source has been peeled off."""
    indegree: dict[str, int] = {}
    succ: dict[str, list[str]] = {}
    for a, b in edges:
        indegree.setdefault(a, 0)
        indegree[b] = indegree.get(b, 0) + 1
        succ.setdefault(a, []).append(b)
    ready = [n for n, d in indegree.items() if d == 0]
    seen = 0
    while ready:
        node = ready.pop()
        seen += 1
        for nxt in succ.get(node, []):
            indegree[nxt] -= 1
            if indegree[nxt] == 0:
                ready.append(nxt)
    return seen < len(indegree)


def get_run(run_id: uuid.UUID) -> Run | None:
    """A run with its job."""
    return Run.objects.select_related("job").filter(run_id=run_id).first()


def run_upstream(run: Run, *, depth: int = 10) -> dict[str, Any]:
    """The exact runs, jobs and dataset versions `run` depended on, `depth` runs deep.

    For each dataset a run read, the producing run is the one whose output carries the
    version the reader saw (version facet) or, without one, the latest write not after the
    reader started. One query per level, plus a few to name what was found.
    """
    depth = max(0, min(depth, MAX_DEPTH))
    runs: dict[int, dict[str, Any]] = {run.pk: {"started": run.started_at or run.event_time}}
    rows: list[dict[str, Any]] = []
    frontier = [run.pk]
    level = 0
    while frontier and level < depth:
        level += 1
        producers = RunDataset.objects.filter(
            dataset_id=OuterRef("dataset_id"), direction="out",
            event_time__lte=OuterRef("run__started_at_or_time"),
        ).order_by("-event_time")
        links = list(RunDataset.objects.filter(run_id__in=frontier, direction="in").annotate(
            run__started_at_or_time=Coalesce("run__started_at", "run__event_time"),
        ).annotate(
            p_run=Subquery(producers.values("run_id")[:1]),
            p_version=Subquery(producers.values("version")[:1]),
        ).values_list("run_id", "dataset_id", "version", "p_run", "p_version"))
        versioned = [(d, v) for _r, d, v, _p, _pv in links if v]
        by_version: dict[tuple[int, str], tuple[int, str]] = {}
        if versioned:  # a version facet names the exact producing run
            query = Q()
            for d, v in versioned:
                query |= Q(dataset_id=d, version=v)
            for d, v, r in RunDataset.objects.filter(query, direction="out").values_list(
                    "dataset_id", "version", "run_id"):
                by_version[(d, v)] = (r, v)
        frontier = []
        for reader, dataset_id, version, p_run, p_version in links:
            if version and (dataset_id, version) in by_version:
                p_run, p_version = by_version[(dataset_id, version)]
            rows.append({"reader": reader, "dataset": dataset_id, "level": level,
                         "version": version or p_version or "", "producer": p_run})
            if p_run is not None and p_run not in runs:  # cycle-safe: expand each run once
                runs[p_run] = {}
                frontier.append(p_run)
    info = {r["id"]: r for r in Run.objects.filter(pk__in=list(runs)).values(
        "id", "run_id", "state", "event_time", "job__namespace", "job__name")}
    outputs = list(RunDataset.objects.filter(run=run, direction="out").values_list(
        "dataset_id", "version"))
    ds_ids = {r["dataset"] for r in rows} | {d for d, _v in outputs}
    datasets = {d.pk: d for d in Dataset.objects.filter(pk__in=ds_ids)}
    aliases = _aliases(list(datasets.values()))

    def job_id(pk: int) -> str:
        return f"job:{info[pk]['job__namespace']}:{info[pk]['job__name']}"

    inputs = []
    for row in rows:
        producer = row["producer"]
        inputs.append({
            "run": str(info[row["reader"]]["run_id"]), "job": job_id(row["reader"]),
            "dataset": datasets[row["dataset"]].node_id, "level": row["level"],
            "version": row["version"],
            "produced_by": None if producer is None else {
                "run": str(info[producer]["run_id"]), "job": job_id(producer),
                "state": info[producer]["state"],
                "at": info[producer]["event_time"].isoformat()},
        })
    return {
        "run": {"runId": str(run.run_id), "job": run.job.node_id, "state": run.state,
                "startedAt": run.started_at.isoformat() if run.started_at else None,
                "endedAt": run.ended_at.isoformat() if run.ended_at else None},
        "depth": depth,
        "runs": [{"runId": str(r["run_id"]), "job": job_id(pk), "state": r["state"],
                  "eventTime": r["event_time"].isoformat()} for pk, r in info.items()],
        "datasets": [_dataset_node(d, aliases) for d in datasets.values()],
        "inputs": inputs,
        "outputs": [{"dataset": datasets[d].node_id, "version": v} for d, v in outputs],
    }


def path_drawing(upstream: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Nodes and edges of a run's upstream, for the « chemin des données » drawing."""
    labels = {d["id"]: (d.get("catalog") or {}).get("title") or d["name"]
              for d in upstream["datasets"]}
    urls = {d["id"]: (d.get("catalog") or {}).get("url", "") for d in upstream["datasets"]}
    nodes: dict[str, dict[str, Any]] = {}
    edges = []

    def run_node(run_id: str, job: str) -> str:
        node_id = f"run:{run_id}"
        nodes[node_id] = {"id": node_id, "label": job.split(":")[-1], "kind": "job"}
        return node_id

    def ds_node(ds: str) -> str:
        nodes[ds] = {"id": ds, "label": labels.get(ds, ds.split(":")[-1]), "kind": "dataset",
                     "url": urls.get(ds, "")}
        return ds

    root = run_node(upstream["run"]["runId"], upstream["run"]["job"])
    for row in upstream["inputs"]:
        consumer = run_node(row["run"], row["job"])
        ds = ds_node(row["dataset"])
        edges.append({"source": ds, "target": consumer})
        if row["produced_by"]:
            producer = run_node(row["produced_by"]["run"], row["produced_by"]["job"])
            edges.append({"source": producer, "target": ds})
    for out in upstream["outputs"]:
        edges.append({"source": root, "target": ds_node(out["dataset"])})
    return list(nodes.values()), edges
