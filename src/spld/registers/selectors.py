"""Reads of the registers (public lists, per-organisation views, the flow graph, access grants)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from spld.registers.models import (
    Algorithm,
    DataFlow,
    ImpactAssessment,
    ProcessingActivity,
    Usage,
)


def active_flows() -> QuerySet[DataFlow]:
    """Flows in force today (status active, within their dates)."""
    today = timezone.localdate()
    return DataFlow.objects.filter(status=DataFlow.Status.ACTIVE).filter(
        Q(start_date__isnull=True) | Q(start_date__lte=today),
        Q(end_date__isnull=True) | Q(end_date__gte=today),
    )


def flow_grants_access(organization_ids: Iterable[int], dataset: Any) -> bool:
    """True when an active data flow names `dataset` and one of the organisations as recipient."""
    ids = list(organization_ids)
    if not ids or dataset is None or dataset.pk is None:
        return False
    return active_flows().filter(recipient_id__in=ids, datasets=dataset,
                                 organization_id=dataset.publisher_id).exists()


def processing_list(*, organization: Any = None, q: str = "") -> QuerySet[ProcessingActivity]:
    """Processing activities with their controller, optionally filtered."""
    qs = ProcessingActivity.objects.select_related("organization").prefetch_related(
        "recipient_organizations", "joint_controllers", "datasets_used", "datasets_produced")
    if organization is not None:
        qs = qs.filter(organization=organization)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(description__icontains=q))
    return qs


def current_processing() -> QuerySet[ProcessingActivity]:
    """Processing activities not ended (what « Qui détient mes données ? » lists)."""
    return processing_list().exclude(status=ProcessingActivity.Status.ENDED)


def holders() -> list[dict[str, Any]]:
    """« Qui détient mes données ? »: organisations with their processing activities."""
    grouped: dict[Any, list[ProcessingActivity]] = defaultdict(list)
    for activity in current_processing():
        grouped[activity.organization].append(activity)
    return [{"organization": org, "activities": acts}
            for org, acts in sorted(grouped.items(), key=lambda kv: kv[0].name)]


def flow_list(*, organization: Any = None) -> QuerySet[DataFlow]:
    """Data flows, with both ends."""
    qs = DataFlow.objects.select_related("organization", "recipient").prefetch_related("datasets")
    if organization is not None:
        qs = qs.filter(Q(organization=organization) | Q(recipient=organization))
    return qs


def current_flows() -> QuerySet[DataFlow]:
    """Data flows not ended (what the territory's map of flows lists)."""
    return flow_list().exclude(status=DataFlow.Status.ENDED)


def flow_graph() -> dict[str, Any]:
    """Nodes (organisations, recipient categories) and edges of flows not ended."""
    nodes: dict[str, dict[str, Any]] = {}
    edges = []
    for flow in current_flows():
        src = f"org:{flow.organization.slug}"
        nodes[src] = {"id": src, "label": flow.organization.name,
                      "url": flow.organization.get_absolute_url()}
        if flow.recipient_id:
            dst = f"org:{flow.recipient.slug}"
            nodes[dst] = {"id": dst, "label": flow.recipient.name,
                          "url": flow.recipient.get_absolute_url()}
        else:
            dst = f"category:{flow.recipient_category}"
            nodes[dst] = {"id": dst, "label": flow.recipient_category, "url": ""}
        edges.append({"source": src, "target": dst, "label": flow.purpose[:60],
                      "status": flow.status, "flow": flow})
    return {"nodes": list(nodes.values()), "edges": edges}


def usage_list(*, organization: str = "", dataset: str = "", status: str = "",
               q: str = "") -> QuerySet[Usage]:
    """Usages for the « Cartographie des usages », filterable."""
    qs = Usage.objects.select_related("organization").prefetch_related(
        "partners", "datasets", "algorithms", "indicators")
    if organization:
        qs = qs.filter(Q(organization__slug=organization) | Q(partners__slug=organization))
    if dataset:
        qs = qs.filter(datasets__slug=dataset)
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(description__icontains=q))
    return qs.distinct()


def usage_timeline() -> list[dict[str, Any]]:
    """Usages started per year and status, to show how the map evolved."""
    rows: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for start, status in Usage.objects.exclude(start_date__isnull=True).values_list(
            "start_date", "status"):
        rows[start.year][status] += 1
    return [{"year": y, "counts": dict(c), "total": sum(c.values())}
            for y, c in sorted(rows.items())]


def indicator_series(usage: Usage) -> list[dict[str, Any]]:
    """A usage's indicators grouped by name, in date order."""
    series: dict[str, dict[str, Any]] = {}
    for point in usage.indicators.all():
        entry = series.setdefault(point.name, {"name": point.name, "unit": point.unit,
                                               "points": []})
        entry["points"].append({"date": point.date, "value": point.value})
    return list(series.values())


def algorithm_list(*, organization: Any = None) -> QuerySet[Algorithm]:
    """Algorithms with their organisation."""
    qs = Algorithm.objects.select_related("organization").prefetch_related("datasets")
    if organization is not None:
        qs = qs.filter(organization=organization)
    return qs


def published_assessments() -> QuerySet[ImpactAssessment]:
    """Published DPIA summaries."""
    return ImpactAssessment.objects.filter(
        status=ImpactAssessment.Status.PUBLISHED
    ).select_related("organization", "processing_activity")


def organizations_with_entries() -> list[Any]:
    """Organisations that have at least one entry in a register (for filters)."""
    from spld.organizations.models import Organization

    return list(Organization.objects.filter(
        Q(pk__in=ProcessingActivity.objects.values("organization"))
        | Q(pk__in=DataFlow.objects.values("organization"))
        | Q(pk__in=Usage.objects.values("organization"))
        | Q(pk__in=Algorithm.objects.values("organization"))
    ).order_by("name"))


def register_counts() -> dict[str, int]:
    """Number of entries each register's public page lists (same querysets as the pages)."""
    return {
        "processing": current_processing().count(),
        "flows": current_flows().count(),
        "usages": usage_list().count(),
        "algorithms": algorithm_list().count(),
        "assessments": published_assessments().count(),
    }


def register_total() -> int:
    """Public entries across all registers (the transparency hub's count)."""
    return sum(register_counts().values())


def latest_changes(limit: int = 10) -> list[Any]:
    """The latest log entries about register records."""
    from spld.ledger.models import LogEntry

    types = ["processing_activity", "data_flow", "usage", "algorithm", "impact_assessment"]
    return list(LogEntry.objects.filter(subject_type__in=types).order_by("-index")[:limit])


def subject_for(entry: Any) -> Any:
    """The register record a log entry is about (None when gone)."""
    model = {"processing_activity": ProcessingActivity, "data_flow": DataFlow, "usage": Usage,
             "algorithm": Algorithm, "impact_assessment": ImpactAssessment}.get(entry.subject_type)
    if model is None:
        return None
    return model.objects.filter(uid=entry.subject_id).first()
