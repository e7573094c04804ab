"""Reads about organisations."""

from typing import Any

from django.db.models import Count, Q, QuerySet

from spld.organizations.models import Organization


def organization_list(*, kind: str = "", q: str = "") -> QuerySet[Organization]:
    """Organisations, filtered by kind and by a name fragment."""
    qs = Organization.objects.all()
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(slug__icontains=q))
    return qs.order_by("name")


def organization_count() -> int:
    """How many organisations take part."""
    return Organization.objects.count()


def kinds_with_counts() -> list[tuple[str, str, int]]:
    """(kind, label, count) for the list page's filter."""
    counts = dict(Organization.objects.values_list("kind").annotate(n=Count("id")))
    return [(k, str(label), counts.get(k, 0)) for k, label in Organization.Kind.choices]


def organization_profile(organization: Organization, actor: Any) -> dict[str, Any]:
    """What other registers say about an organisation, for its public page."""
    from spld.catalog.selectors import can_see_metadata, datasets_of
    from spld.charter.selectors import membership_of
    from spld.registers.selectors import processing_list

    datasets = [d for d in datasets_of(organization).order_by("title")
                if can_see_metadata(actor, d)]
    return {
        "datasets": datasets,
        "membership": membership_of(organization),
        "processing_count": processing_list(organization=organization).count(),
    }
