"""The charter demo: every status, both alert cycles, two years of evaluations, a report."""

from __future__ import annotations

import pytest
from django.utils import timezone

from spld.charter import demo
from spld.charter.models import AnnualReport, Evaluation, Membership
from spld.demo.territory import ORGANIZATIONS
from tests.factories import make_organization

pytestmark = pytest.mark.django_db


def test_demo_is_complete_and_idempotent(spld_admin, client):
    for spec in ORGANIZATIONS:
        if spec.slug in demo.PLAN:
            make_organization(spec.slug, name=spec.name, kind=spec.kind)
    messages: list[str] = []
    demo.load(spld_admin, messages.append)
    statuses = set(Membership.objects.values_list("status", flat=True))
    assert statuses == set(Membership.Status.values)
    eau = Membership.objects.get(organization__slug="eau-du-ponant")
    assert eau.status == "active" and eau.alerts.get().status == "remedied"
    bank = Membership.objects.get(organization__slug="banque-regionale")
    assert bank.exclusions.get().votes_for == 5
    year = timezone.localdate().year
    assert set(Evaluation.objects.values_list("year", flat=True)) == {year - 2, year - 1}
    report = AnnualReport.objects.get(year=year - 1)
    assert report.status == "published"
    # both alert cycles happened last year, so last year's report tells them
    assert report.facts["remediations"] == ["Eau du Ponant"]
    assert [x["votes_for"] for x in report.facts["exclusions"]] == [5]
    assert report.facts["new_signatories"] == ["Opérateur du réseau Bibus"]
    assert Membership.objects.get(organization__slug="sotraval").alerts.filter(
        status="proposed").exists()
    counts = (Membership.objects.count(), Evaluation.objects.count())
    demo.load(spld_admin, messages.append)
    assert (Membership.objects.count(), Evaluation.objects.count()) == counts
    assert client.get("/charte/signataires/").status_code == 200
    assert client.get("/charte/versions/2/").status_code == 200
