"""Machine endpoints outside the language prefix: DCAT catalogue and the CKAN API subset."""

from django.urls import path, re_path

from spld.catalog import ckan, dcat

urlpatterns = [
    path("catalog", dcat.catalog_view, name="dcat_catalog"),
    re_path(r"^catalog\.(?P<ext>ttl|jsonld|rdf)$", dcat.catalog_view, name="dcat_catalog_ext"),
    re_path(r"^datasets/(?P<slug>[-a-zA-Z0-9_]+)\.(?P<ext>ttl|jsonld|rdf)$", dcat.dataset_view,
            name="dcat_dataset"),
    # The dataset URIs DCAT and CKAN publish resolve (303 to the RDF or the page).
    re_path(r"^datasets/(?P<slug>[-a-zA-Z0-9_]+)$", dcat.dataset_identifier_view,
            name="dcat_dataset_uri"),
    path("api/3/action/<str:name>", ckan.action, name="ckan_action"),
    path("api/action/<str:name>", ckan.action, name="ckan_action_legacy"),
]
