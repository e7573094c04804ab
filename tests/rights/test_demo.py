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
