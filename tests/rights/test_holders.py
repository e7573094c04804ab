"""« Qui détient mes données », linked from the space and personalised from the register."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.urls import reverse

from spld.rights import demo
from tests.factories import make_organization
from tests.rights.conftest import make_activity
from tests.rights.test_receipt_page import page_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def territory(citizen, org, other_org, spld_admin):
    """The demo citizen (consents, requests for Brest) and organisations around them."""
    make_organization("brest-metropole", name="Brest métropole")
    make_organization("operateur-bibus", name="Bibus", kind="delegated_operator")
    demo.load(spld_admin, lambda _m: None)
    brest_only = make_organization("cpam-brest", name="Caisse de Brest", kind="public_company",
                                   territory=["29019"])
    uid = make_activity(brest_only, name="Remboursements", subjects=("assurés",))
    if apps.is_installed("spld.registers"):
        model = apps.get_model("registers", "ProcessingActivity")
        model.objects.filter(uid=uid).update(
            data_categories=["https://w3id.org/dpv/pd#Health"])
    bohars = make_organization("commune-de-bohars", name="Commune de Bohars",
                               territory=["29011"])
    make_activity(bohars, name="État civil", subjects=("habitants",))
    make_organization("silent-brest", name="Silencieuse de Brest", territory=["29019"])
    return citizen


@pytest.mark.skipif(not apps.is_installed("spld.registers"), reason="needs the registers")
def test_holders_are_linked_from_the_space_and_personalised(client, territory):
    client.force_login(territory)
    space = client.get(reverse("rights:space")).content.decode()
    assert f'href="{reverse("rights:holders")}"' in space

    page = client.get(reverse("rights:holders"))
    assert page.status_code == 200
    text = page_text(page.content)
    main = text[text.index("Qui détient mes données ?"):]
    # Relationships: consents and requests; the commune given in a request (Brest).
    for name in ("Eau du Ponant", "Bibus", "Brest métropole", "Sotraval", "Caisse de Brest"):
        assert name in main, name
    assert "Vous lui avez donné un consentement." in main
    assert "Vous lui avez adressé une demande d’exercice de droits." in main
    assert "Elle déclare des traitements sur les habitants de votre commune." in main
    assert "Santé" in main and "dpv" not in main
    # Nothing declared, or another commune: not listed.
    assert "Silencieuse de Brest" not in main and "Commune de Bohars" not in main
    assert '<option value="29019" selected>Brest</option>' in page.content.decode()

    other = page_text(client.get(reverse("rights:holders") + "?commune=29011").content)
    assert "Commune de Bohars" in other and "Caisse de Brest" not in other
    bad = client.get(reverse("rights:holders") + "?commune=75056")
    assert bad.status_code == 400
    assert "Choisissez votre commune dans la liste." in bad.content.decode()

    public = client.get(reverse("registers:holders")).content.decode()
    assert f'href="{reverse("rights:holders")}"' in public


def test_holders_need_a_signed_in_person(client, db):
    response = client.get(reverse("rights:holders"))
    assert response.status_code == 302 and "connexion" in response["Location"]
    assert 'href="/compte/donnees/qui-detient' not in client.get(
        reverse("registers:holders")).content.decode()
