"""Reads of the catalogue; `can_read` is THE access rule for dataset contents."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from spld.catalog.models import Dataset, Resource
from spld.core.permissions import ORG_ROLES, has_role, is_authenticated, is_spld_admin
from spld.registers.selectors import flow_grants_access


def can_read(actor: Any, dataset: Dataset) -> bool:
    """Whether `actor` may read the contents of `dataset` (records, profile, exports)."""
    if is_spld_admin(actor) or has_role(actor, dataset.publisher, *ORG_ROLES):
        return True
    if dataset.status != Dataset.Status.PUBLISHED:
        return False
    if dataset.access_level == Dataset.AccessLevel.OPEN:
        return True
    if dataset.access_level == Dataset.AccessLevel.SHARED:
        # Shared data goes only to organisations an active data flow names as recipients.
        return is_authenticated(actor) and flow_grants_access(actor_org_ids(actor), dataset)
    return False


def can_see_metadata(actor: Any, dataset: Dataset) -> bool:
    """Metadata of published datasets is public (charter: the list of data is published)."""
    if dataset.status == Dataset.Status.PUBLISHED:
        return True
    return is_spld_admin(actor) or has_role(actor, dataset.publisher, *ORG_ROLES)


def visible_datasets(actor: Any = None) -> QuerySet[Dataset]:
    """Published datasets, plus drafts of the actor's organisations."""
    qs = Dataset.objects.select_related("publisher")
    if is_spld_admin(actor):
        return qs
    return qs.filter(Q(status=Dataset.Status.PUBLISHED) | Q(publisher_id__in=actor_org_ids(actor)))


def public_dataset_count() -> int:
    """Datasets anyone sees in the catalogue's list: every published one, open or shared."""
    return visible_datasets(None).count()


def actor_org_ids(actor: Any) -> list[int]:
    """Organisations where the actor holds a role (a token: its organisation)."""
    if not is_authenticated(actor):
        return []
    if getattr(actor, "organization", None) is not None:
        return [actor.organization.pk]
    return list(actor.memberships.values_list("organization_id", flat=True).distinct())


def dataset_detail(slug: str) -> Dataset:
    """A dataset with its publisher and resources (and their current versions)."""
    return (Dataset.objects.select_related("publisher")
            .prefetch_related(Prefetch("resources", queryset=Resource.objects.select_related(
                "current_version")))
            .get(slug=slug))


def version_history(resource: Resource) -> list[Any]:
    """A resource's versions, newest first (who published each stays internal)."""
    return list(resource.versions.order_by("-number").only(
        "number", "created_at", "row_count", "source_name", "source_format", "sha256",
        "byte_size", "resource_id"))


def resource_by_rid(rid: Any) -> Resource:
    """A resource by its public id, with dataset, publisher and current version."""
    # The data API reads this on every request: skip the large JSON it does not need.
    return (Resource.objects.select_related("dataset__publisher", "current_version")
            .defer("ingest_report", "current_version__profile",
                   "current_version__validation_report", "dataset__schema",
                   "dataset__spatial_geometry")
            .get(rid=rid))


def open_datasets() -> QuerySet[Dataset]:
    """Published open datasets (what DCAT and CKAN expose)."""
    return (Dataset.objects.filter(status=Dataset.Status.PUBLISHED,
                                   access_level=Dataset.AccessLevel.OPEN)
            .select_related("publisher")
            .prefetch_related(Prefetch("resources", queryset=Resource.objects.select_related(
                "current_version")))
            .order_by("slug"))


def datasets_of(organization: Any) -> QuerySet[Dataset]:
    """Published datasets of an organisation (its public page lists them)."""
    return Dataset.objects.filter(publisher=organization, status=Dataset.Status.PUBLISHED)


def datasets_to_maintain(organization: Any, limit: int = 10) -> list[Dataset]:
    """An organisation's datasets for its publishers (drafts too), last modified first."""
    return list(Dataset.objects.filter(publisher=organization)
                .exclude(status=Dataset.Status.WITHDRAWN)
                .prefetch_related("resources").order_by("-modified", "title")[:limit])


FACETS = ("publisher", "theme", "licence", "access_level", "commune")
SORTS = ("relevance", "date", "downloads", "title")


def search_datasets(*, actor: Any = None, q: str = "", publisher: str = "", theme: str = "",
                    licence: str = "", access_level: str = "", commune: str = "",
                    sort: str = "") -> tuple[list[Dataset], dict[str, list[dict[str, Any]]]]:
    """Datasets matching a full-text query and facet filters, sorted, with facet counts."""
    from spld.catalog import search
    from spld.catalog.vocabularies import LICENCES, THEMES

    qs = visible_datasets(actor)
    ranked: list[int] | None = None
    if q.strip():
        ranked = search.ranked_ids(q)
        qs = qs.filter(pk__in=ranked)
    if publisher:
        qs = qs.filter(publisher__slug=publisher)
    if licence:
        qs = qs.filter(licence=licence)
    if access_level:
        qs = qs.filter(access_level=access_level)
    # Themes and communes are JSON lists: filtered in Python (a catalogue holds thousands).
    items = list(qs)
    if theme:
        items = [d for d in items if theme in (d.themes or [])]
    if commune:
        items = [d for d in items if commune in (d.spatial or [])]
    if sort == "downloads":
        items.sort(key=lambda d: (-d.downloads, d.title))
    elif sort == "title":
        items.sort(key=lambda d: d.title.lower())
    elif ranked is not None and sort in ("", "relevance"):
        position = {pk: i for i, pk in enumerate(ranked)}
        items.sort(key=lambda d: position.get(d.pk, 1 << 30))
    else:
        items.sort(key=lambda d: d.modified or d.created_at, reverse=True)
    facets: dict[str, dict[str, dict[str, Any]]] = {f: {} for f in FACETS}

    def bump(facet: str, value: str, label: str) -> None:
        entry = facets[facet].setdefault(value, {"value": value, "label": label, "count": 0})
        entry["count"] += 1

    from spld.demo.territory import COMMUNES

    for d in items:
        bump("publisher", d.publisher.slug, d.publisher.name)
        bump("licence", d.licence, str(LICENCES[d.licence][0]))
        bump("access_level", d.access_level, str(d.get_access_level_display()))
        for t in d.themes or []:
            bump("theme", t, str(THEMES.get(t, t)))
        for c in d.spatial or []:
            bump("commune", c, COMMUNES.get(c, c))
    ordered = {f: sorted(v.values(), key=lambda e: (-e["count"], str(e["label"])))
               for f, v in facets.items()}
    return items, ordered


def recent_attempts(resource: Resource, limit: int = 10) -> list[Any]:
    """The last files sent to a resource, newest first, with their outcome (publishers only)."""
    from spld.catalog.models import IngestAttempt

    return list(IngestAttempt.objects.filter(resource=resource)
                .select_related("version").order_by("-pk")[:limit])
