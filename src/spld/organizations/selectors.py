"""Reads about organisations."""

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
    """How many organisations take part (the length of their public list)."""
    return organization_list().count()


def kinds_with_counts() -> list[tuple[str, str, int]]:
    """(kind, label, count) for the list page's filter."""
    counts = dict(Organization.objects.values_list("kind").annotate(n=Count("id")))
    return [(k, str(label), counts.get(k, 0)) for k, label in Organization.Kind.choices]

