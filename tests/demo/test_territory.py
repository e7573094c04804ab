"""The demo territory loads deterministically and idempotently."""

import pytest
from stdnum.fr import siren

from spld.accounts.models import Membership, User
from spld.demo import services
from spld.demo.territory import COMMUNES, ORGANIZATIONS, USERS, synthetic_siren
from spld.ledger.models import LogEntry
from spld.organizations.models import Organization


@pytest.mark.django_db
def test_demo_loads_the_territory_once():
    services.load_demo(loaders=[])
    counts = (
        Organization.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
        LogEntry.objects.count(),
    )
    services.load_demo(loaders=[])
    assert counts == (
        Organization.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
        LogEntry.objects.count(),
    )
    assert counts[0] == len(ORGANIZATIONS) and counts[1] == len(USERS)
    codes = set(Organization.objects.get(slug="brest-metropole").territory)
    assert codes == set(COMMUNES) and len(codes) == 8
    assert Organization.objects.get(slug="ville-de-brest").territory == ["29019"]
    assert User.objects.get(email="admin@spld.example").is_superuser


def test_synthetic_sirens_are_valid_and_stable():
    values = {synthetic_siren(o.slug) for o in ORGANIZATIONS}
    assert len(values) == len(ORGANIZATIONS)
    assert all(siren.is_valid(v) for v in values)
    assert synthetic_siren("brest-metropole") == synthetic_siren("brest-metropole")


@pytest.mark.django_db
def test_demo_accounts_sign_in(client):
    from spld.demo.territory import DEMO_PASSWORD

    services.load_demo(loaders=[])
    response = client.post(
        "/compte/connexion/", {"email": "editeur@eau-du-ponant.example", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
