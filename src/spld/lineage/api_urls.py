"""/api/v1/ — the OpenLineage-compatible ingestion endpoints."""

from django.urls import path

from spld.lineage import ingest_views

urlpatterns = [
    path("lineage", ingest_views.lineage_event, name="lineage_event"),
    path("lineage/batch", ingest_views.lineage_batch, name="lineage_batch"),
]
