"""Small factories for tests (plain functions over the real services and models)."""

from __future__ import annotations

import itertools
from typing import Any

from django.utils import timezone

from spld.accounts.models import Membership, User
from spld.demo.territory import synthetic_siren
from spld.organizations.models import Organization

PASSWORD = "correct-horse-battery"  # noqa: S105
_seq = itertools.count()


def make_user(
    email: str = "",
    *,
    superuser: bool = False,
    committee: bool = False,
    memberships: list[tuple[Organization, str]] = (),
    verified: bool = True,
) -> User:  # type: ignore[assignment]
    """A user with a known password and optional roles."""
    email = email or f"user{next(_seq)}@example.org"
    user = User.objects.create_user(email=email, password=PASSWORD)
    user.is_superuser = user.is_staff = superuser
    user.is_committee_member = committee
    user.email_verified_at = timezone.now() if verified else None
    user.save()
    for organization, role in memberships:
        Membership.objects.create(user=user, organization=organization, role=role)
    return user


def make_organization(slug: str = "", **fields: Any) -> Organization:
    """An organisation saved directly (tests of services use the services instead)."""
    slug = slug or f"org-{next(_seq)}"
    fields.setdefault("name", slug.replace("-", " ").title())
    fields.setdefault("kind", "local_authority")
    fields.setdefault("siren", synthetic_siren(slug))
    organization = Organization(slug=slug, **fields)
    organization.full_clean()
    organization.save()
    return organization
