"""The demo loader: deterministic, idempotent, through the services."""

from __future__ import annotations

import pytest

from spld.rights import demo
from spld.rights.models import ConsentRecord, Receipt, RequestPart, RightsRequest
from spld.rights.verification import verify_receipt
from tests.factories import make_organization

pytestmark = pytest.mark.django_db


def test_demo_loads_once(citizen, org, other_org, spld_admin):
    make_organization("brest-metropole", name="Brest métropole")
    make_organization("operateur-bibus", name="Bibus", kind="delegated_operator")
    demo.load(spld_admin, lambda _m: None)
    demo.load(spld_admin, lambda _m: None)
    assert ConsentRecord.objects.filter(user=citizen).count() == 3
    assert ConsentRecord.objects.filter(user=citizen, state="withdrawn").count() == 1
    assert RightsRequest.objects.filter(user=citizen).count() == 2
    assert set(RequestPart.objects.values_list("status", flat=True)) == {
        "done", "pending", "refused"}
    assert all(verify_receipt(r.jws).ok for r in Receipt.objects.filter(user=citizen))


def test_demo_citizen_sees_who_read_their_data(client, citizen, org, other_org, spld_admin):
    from django.urls import reverse

    from spld.rights.models import AccessLogEntry
    from spld.rights.selectors import access_log_for_citizen
    from tests.rights.test_receipt_page import page_text

    make_organization("brest-metropole", name="Brest métropole")
    demo.load(spld_admin, lambda _m: None)
    demo.load(spld_admin, lambda _m: None)
    # The demo DPOs opened the requests through the back-office service, which logged them.
    reads = list(access_log_for_citizen(citizen))
    assert {e.organization.slug for e in reads} == {"eau-du-ponant", "brest-metropole"}
    assert AccessLogEntry.objects.count() == 2  # idempotent
    assert all(e.staff and e.staff.email.startswith("dpo@") for e in reads)
    client.force_login(citizen)
    text = page_text(client.get(reverse("rights:space")).content)
    section = text[text.index("Qui a consulté mes données"):]
    assert "Personne n’a consulté vos données" not in section
    assert "Eau du Ponant" in section and "votre demande d’exercice de droits" in section
    assert "request_part" not in section
