"""A person reads labels, never vocabulary codes: the citizen's space, receipts, consent pages."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation

from spld.rights import demo, presentation
from spld.rights.models import ConsentNotice, Receipt
from tests.factories import make_organization
from tests.rights.test_receipt_page import human_part, page_text

pytestmark = pytest.mark.django_db

CODES = re.compile(r"\bdpv(-pd|-gdpr)?:|\bpd:[A-Z]|w3id\.org/dpv|urn:uuid:")


@pytest.fixture
def demo_citizen(citizen, org, other_org, spld_admin):
    make_organization("brest-metropole", name="Brest métropole")
    make_organization("operateur-bibus", name="Bibus", kind="delegated_operator")
    demo.load(spld_admin, lambda _m: None)
    return citizen


def test_term_labels_come_from_the_vocabularies():
    assert presentation.term_label("dpv-pd:EmailAddress") == "Adresse électronique"
    assert presentation.term_label("https://w3id.org/dpv/pd#TravelHistory") == (
        "Historique des déplacements")
    assert presentation.term_label("dpv:ServiceProvision") == "Fournir un service public"
    # A term outside the shipped subset still reads as words, without prefix.
    assert presentation.term_label("dpv-pd:FavouriteColour") == "Favourite colour"


def test_citizen_pages_show_labels_not_codes(client, demo_citizen):
    client.force_login(demo_citizen)
    space = client.get(reverse("rights:space"))
    assert space.status_code == 200
    text = page_text(space.content)
    assert "Adresse électronique, Historique des déplacements" in text
    assert "Numéro de téléphone" in text
    assert not CODES.search(text), CODES.search(text)

    pages = [reverse("rights:receipt", args=[r.uid])
             for r in Receipt.objects.filter(user=demo_citizen)]
    pages += [reverse("rights:request", args=[r.uid]) for r in demo_citizen.rights_requests.all()]
    pages += [reverse("rights:consent_page", args=[n.uid]) for n in ConsentNotice.objects.all()]
    assert len(pages) >= 6
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        text = page_text(response.content)
        if "/recus/" in url:
            text = human_part(text)
        assert not CODES.search(text), (url, CODES.search(text))

    url = "/en" + reverse("rights:space")
    with translation.override("en"):  # the request activates English; restore French after
        english = page_text(client.get(url).content)
    assert "Email Address" in english and "dpv-pd:" not in english
