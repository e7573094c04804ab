"""The links DCAT and CKAN publish resolve: dataset URIs and CKAN's help links."""

from urllib.parse import urlsplit

import pytest

from tests.catalog.helpers import make_dataset

pytestmark = pytest.mark.django_db


def test_dataset_uri_sends_people_to_the_page_and_harvesters_to_rdf(client, editor, org):
    dataset = make_dataset(editor, org, title="Eau potable")
    page = client.get(f"/datasets/{dataset.slug}")
    assert page.status_code == 303 and page["Location"] == f"/donnees/{dataset.slug}/"
    assert client.get(page["Location"]).status_code == 200
    rdf = client.get(f"/datasets/{dataset.slug}", HTTP_ACCEPT="text/turtle")
    assert rdf.status_code == 303 and rdf["Location"] == f"/datasets/{dataset.slug}.ttl"
    assert "Accept" in rdf["Vary"].split(", ")
    jsonld = client.get(f"/datasets/{dataset.slug}", HTTP_ACCEPT="application/ld+json")
    assert jsonld["Location"] == f"/datasets/{dataset.slug}.jsonld"


def test_dataset_uri_of_a_draft_is_not_found(client, editor, org):
    draft = make_dataset(editor, org, title="Brouillon", publish=False)
    assert client.get(f"/datasets/{draft.slug}").status_code == 404


def test_ckan_help_links_resolve(client):
    listing = client.get("/api/3/action/package_list").json()
    link = urlsplit(listing["help"])
    help_page = client.get(f"{link.path}?{link.query}")
    assert help_page.status_code == 200
    assert help_page.json()["result"].startswith("Names of the open datasets")
    unknown = client.get("/api/3/action/help_show?name=nope")
    assert unknown.status_code == 404 and unknown.json()["success"] is False
