"""Reads of the catalogue; `can_read` is THE access rule for dataset contents."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from spld.catalog.models import Dataset, Resource
from spld.core.permissions import ORG_ROLES, has_role, is_authenticated, is_spld_admin


def _is_signatory_member(actor: Any) -> bool:
    # Until data flows exist (registers), "shared" means: any member of any organisation.
    if getattr(actor, "organization", None) is not None:  # TokenActor
        return True
    memberships = getattr(actor, "memberships", None)
    return bool(memberships is not None and memberships.exists())


def can_read(actor: Any, dataset: Dataset) -> bool:
    """Whether `actor` may read the contents of `dataset` (records, profile, exports)."""
    if is_spld_admin(actor) or has_role(actor, dataset.publisher, *ORG_ROLES):
        return True
    if dataset.status != Dataset.Status.PUBLISHED:
        return False
    if dataset.access_level == Dataset.AccessLevel.OPEN:
        return True
    if dataset.access_level == Dataset.AccessLevel.SHARED:
        return is_authenticated(actor) and _is_signatory_member(actor)
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


def resource_by_rid(rid: Any) -> Resource:
    """A resource by its public id, with dataset, publisher and current version."""
    return Resource.objects.select_related("dataset__publisher", "current_version").get(rid=rid)


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
