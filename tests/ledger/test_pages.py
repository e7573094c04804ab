"""Public HTML pages: journal (sentences, filters), entry and proof, guarantees, witnesses."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.urls import reverse

from spld.organizations import services as org_services

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _french(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "fr"
    from django.utils import translation

    with translation.override("fr"):
        yield


def test_journal_sentences_and_filters(
    client, log_key, org, other_org, org_admin, spld_admin, append_things
):
    org_services.update_organization(actor=org_admin, organization=org, description="Nouvelle")
    org_services.update_organization(actor=spld_admin, organization=other_org, description="B")
    append_things(3)
    page = client.get(reverse("ledger:journal")).content.decode()
    assert "Eau du Ponant a modifié l’organisation « Eau du Ponant »" in page
    assert "L’équipe du SPLD a modifié l’organisation « Sotraval »" in page
    filtered = client.get(reverse("ledger:journal"), {"organisation": org.slug}).content.decode()
    assert "Eau du Ponant a modifié" in filtered and "Sotraval »" not in filtered
    typed = client.get(reverse("ledger:journal"), {"type": "thing"}).content.decode()
    assert "« t2 »" in typed and "Eau du Ponant a modifié" not in typed
    # Unknown filter values are ignored, not errors.
    assert (
        client.get(
            reverse("ledger:journal"), {"organisation": "nope", "type": "<x>", "page": "zz"}
        ).status_code
        == 200
    )
    assert client.get("/en/journal/").status_code == 200


def test_journal_is_paginated(client, append_things):
    append_things(120)
    page2 = client.get(reverse("ledger:journal"), {"page": 2, "type": "thing"}).content.decode()
    assert "Page 2 sur 3" in page2 and "type=thing&amp;page=3" in page2


def test_entry_page_shows_leaf_payload_and_verifiable_proof(client, log_key, append_things):
    append_things(9)
    response = client.get(reverse("ledger:entry", args=[4]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Entrée n° 4 du journal" in html and "&quot;payload_sha256&quot;" in html
    assert "Chemin d’audit" in html and "test.spld.example/log" in html
    assert client.get(reverse("ledger:entry", args=[99])).status_code == 404


def test_guarantees_and_witnesses_pages(client, log_key, append_things):
    append_things(1)
    html = client.get(reverse("ledger:guarantees")).content.decode()
    assert log_key.verifier.vkey in html and "pas que c’est vrai" in html
    html = client.get(reverse("ledger:witnesses")).content.decode()
    assert "Aucun témoin" in html


def test_entry_link_include(client, org, spld_admin, django_assert_num_queries):
    org_services.update_organization(actor=spld_admin, organization=org, description="x")
    from spld.ledger.models import LogEntry

    index = LogEntry.objects.filter(subject_id=org.slug).order_by("-index").first().index
    template = Template('{% include "ledger/includes/entry_link.html" with subject=obj %}')
    with django_assert_num_queries(1):
        html = template.render(Context({"obj": org}))
    assert f"Inscrit au journal de transparence, entrée n° {index}" in html
    assert reverse("ledger:entry", args=[index]) in html
    # A record never logged shows nothing.
    from tests.factories import make_organization

    assert "Inscrit" not in template.render(Context({"obj": make_organization("jamais-inscrite")}))
    # And the organisation page carries it.
    assert f"entrée n° {index}" in client.get(org.get_absolute_url()).content.decode()


def test_admin_lists_are_read_only(client, spld_admin, append_things):
    append_things(2)
    client.force_login(spld_admin)
    for model in ("logentry", "checkpoint", "witness", "cosignature"):
        assert client.get(f"/admin/ledger/{model}/").status_code == 200
    assert client.get("/admin/ledger/logentry/add/").status_code == 403
