"""Public pages of the catalogue and publishers' forms."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.html import escape

from spld.catalog.models import Dataset, Resource
from tests.catalog.helpers import WATER_CSV, make_dataset, make_resource

pytestmark = pytest.mark.django_db


@pytest.mark.pgpaths  # full-text search: unaccent + French stemming on PostgreSQL
def test_list_with_facets_and_search(client, editor, org):
    make_dataset(editor, org, title="Consommation d’eau", themes=["ENVI"])
    make_dataset(editor, org, title="Fréquentation des piscines", themes=["EDUC"],
                 description="Entrées", purpose="Adapter les horaires.")
    html = client.get("/donnees/").content.decode()
    assert "<h1>" in html and "Consommation d’eau" in html and "Fréquentation" in html
    # Both theme facets and the publisher facet, with their counts; a facet link filters.
    assert 'theme=EDUC"' in html and 'theme=ENVI"' in html
    assert f'publisher={org.slug}"' in html
    assert f'{escape(org.name)}</a> <span class="count">(2)' in html
    html = client.get("/donnees/?theme=EDUC").content.decode()
    assert "Fréquentation des piscines" in html and "Consommation d’eau" not in html
    html = client.get("/donnees/?q=piscine").content.decode()
    assert "Fréquentation des piscines" in html and "Consommation d’eau" not in html
    assert client.get("/en/donnees/").status_code == 200


def test_detail_shows_purpose_preview_charts_api_and_log_entry(client, editor, org):
    dataset = make_dataset(editor, org, description="Texte <script>alert(1)</script> **gras**")
    resource = make_resource(editor, dataset, WATER_CSV)
    html = client.get(f"/donnees/{dataset.slug}/").content.decode()
    assert dataset.purpose in html and dataset.general_interest in html and "5 ans" in html
    assert "<script>alert" not in html and "<strong>gras</strong>" in html
    assert "Plougastel-Daoulas" in html  # preview
    assert "<caption>" in html and 'scope="col"' in html
    assert "<svg" not in html  # the charts have their own page (tests/catalog/test_profile.py)
    assert f"/api/1/resources/{resource.rid}/data/csv/" in html
    assert "curl" in html and "journal de transparence" in html
    assert 'style="' not in html


def test_restricted_data_page_shows_metadata_only(client, editor, org):
    dataset = make_dataset(editor, org, access_level="restricted", licence="shared")
    make_resource(editor, dataset, WATER_CSV)
    html = client.get(f"/donnees/{dataset.slug}/").content.decode()
    assert dataset.purpose in html and "Plougastel" not in html and "réservées" in html
    client.force_login(editor)
    assert "Plougastel" in client.get(f"/donnees/{dataset.slug}/").content.decode()


def test_drafts_are_hidden_from_the_public(client, editor, org):
    dataset = make_dataset(editor, org, publish=False)
    assert client.get(f"/donnees/{dataset.slug}/").status_code == 404
    client.force_login(editor)
    assert client.get(f"/donnees/{dataset.slug}/").status_code == 200


def test_publisher_creates_publishes_and_uploads(client, editor, org, settings):
    client.force_login(editor)
    response = client.post("/donnees/nouveau/", {
        "organisation": org.slug, "title": "Compteurs vélo", "purpose": "Mesurer",
        "general_interest": "Mobilité", "retention_period": "3 ans", "access_level": "open",
        "licence": "etalab-2.0", "frequency": "DAILY", "themes": ["TRAN"],
        "spatial_text": "29019", "keywords_text": "vélo, comptage"})
    assert response.status_code == 302, response.content.decode()[:3000]
    dataset = Dataset.objects.get(title="Compteurs vélo")
    assert dataset.status == "draft" and dataset.keywords == ["vélo", "comptage"]
    client.post(f"/donnees/{dataset.slug}/publier/")
    dataset.refresh_from_db()
    assert dataset.status == "published"
    upload = SimpleUploadedFile("velo.csv", WATER_CSV, content_type="text/csv")
    response = client.post(f"/donnees/{dataset.slug}/ressources/ajouter/",
                           {"title": "Comptages", "file": upload})
    assert response.status_code == 302
    resource = Resource.objects.get(dataset=dataset)
    assert resource.ingest_status == "pending"


def test_form_requires_purpose(client, editor, org):
    client.force_login(editor)
    response = client.post("/donnees/nouveau/", {"title": "Sans finalité",
                                                 "access_level": "open", "licence": "cc0",
                                                 "frequency": "DAILY"})
    assert response.status_code == 200 and "obligatoire" in response.content.decode()
    assert not Dataset.objects.exists()


def test_form_upload_over_limit_is_refused(client, editor, org, settings):
    settings.SPLD_UPLOAD_MAX_BYTES = 50
    dataset = make_dataset(editor, org)
    client.force_login(editor)
    upload = SimpleUploadedFile("big.csv", b"a,b\n" + b"1,2\n" * 200, content_type="text/csv")
    response = client.post(f"/donnees/{dataset.slug}/ressources/ajouter/",
                           {"title": "Gros", "file": upload})
    assert response.status_code == 413 and "trop volumineux" in response.content.decode()
    assert not Resource.objects.exists()


def test_strangers_cannot_edit(client, citizen, editor, org):
    dataset = make_dataset(editor, org)
    client.force_login(citizen)
    assert client.get(f"/donnees/{dataset.slug}/modifier/").status_code == 403
    assert client.get(f"/donnees/{dataset.slug}/ressources/ajouter/").status_code == 403
    assert client.get("/donnees/nouveau/").status_code == 403


def test_org_datasets_include(editor, org):
    from django.template import Context, Template

    make_dataset(editor, org, title="Eau du robinet")
    make_dataset(editor, org, title="Brouillon caché", publish=False)
    html = Template("{% load catalog %}{% org_datasets organization %}").render(
        Context({"organization": org}))
    assert "Eau du robinet" in html and "Brouillon caché" not in html
