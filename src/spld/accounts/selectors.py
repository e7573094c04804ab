"""Reads about accounts."""

from typing import Any

from django.db.models import QuerySet

from spld.accounts.models import ApiToken, Membership, User


def memberships_of(user: User) -> QuerySet[Membership]:
    """The user's roles with their organisations."""
    return user.memberships.select_related("organization").order_by("organization__name")


def tokens_of(organization: Any) -> QuerySet[ApiToken]:
    """An organisation's API tokens, newest first."""
    return ApiToken.objects.filter(organization=organization).select_related("created_by")


def members_of(organization: Any) -> QuerySet[Membership]:
    """An organisation's members and roles."""
    return Membership.objects.filter(organization=organization).select_related("user")
