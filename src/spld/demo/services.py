"""Loading the demo territory (deterministic and idempotent)."""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from spld.accounts.models import Membership, User
from spld.demo.territory import (
    DEMO_PASSWORD,
    ORGANIZATIONS,
    USERS,
    DemoUser,
    synthetic_siren,
)
from spld.organizations import services as organization_services
from spld.organizations.models import Organization

Loader = Callable[[User, Callable[[str], None]], None]


def app_loaders() -> list[Loader]:
    """Each app's demo, in dependency order: the log first, its final cosignatures last."""
    from spld.catalog.demo import load as catalog
    from spld.charter.demo import load as charter
    from spld.charter.demo import measure_today as charter_indicators
    from spld.ledger.demo import finish as ledger_cosign
    from spld.ledger.demo import load as ledger
    from spld.registers.demo import load as registers
    from spld.rights.demo import load as rights

    # Indicators are measured once catalogue, registers and rights data exist.
    return [ledger, catalog, registers, rights, charter, charter_indicators, ledger_cosign]


def _ensure_user(spec: DemoUser) -> User:
    user = User.objects.filter(email=spec.email).first()
    if user is None:
        user = User.objects.create_user(email=spec.email, password=DEMO_PASSWORD)
    user.display_name = spec.display_name
    user.is_superuser = user.is_staff = spec.superuser
    user.is_committee_member = spec.committee
    user.email_verified_at = user.email_verified_at or timezone.now()
    user.save()
    return user


def load_demo(
    progress: Callable[[str], None] = lambda _msg: None, loaders: list[Loader] | None = None
) -> User:
    """Create the demo organisations, users and roles; returns the SPLD admin."""
    with transaction.atomic():
        users = {spec.email: _ensure_user(spec) for spec in USERS}
        admin = users["admin@spld.example"]
        existing = set(Organization.objects.values_list("slug", flat=True))
        for org in ORGANIZATIONS:
            if org.slug in existing:
                continue
            organization_services.create_organization(
                actor=admin,
                slug=org.slug,
                name=org.name,
                kind=org.kind,
                siren=synthetic_siren(org.slug),
                description=org.description,
                territory=org.territory,
                website=org.website,
                dpo_contact=f"dpo@{org.slug}.example",
            )
        progress(f"{len(ORGANIZATIONS)} organisations")
        orgs = {o.slug: o for o in Organization.objects.all()}
        for spec in USERS:
            for slug, role in spec.memberships:
                Membership.objects.get_or_create(
                    user=users[spec.email], organization=orgs[slug], role=role
                )
        progress(f"{len(USERS)} comptes de démonstration")
    for loader in app_loaders() if loaders is None else loaders:
        loader(admin, progress)
    return admin
