"""The demo loader: ≥ 10 partner datasets, ingested and queryable, idempotent."""

import pytest

from spld.catalog import demo
from spld.catalog.models import Dataset
from spld.demo.services import load_demo
from tests.system_deps import require_weasyprint


@pytest.mark.django_db
def test_demo_datasets_are_ready(client, monkeypatch):
    require_weasyprint()  # the demo publishes an annual report as PDF
    monkeypatch.setattr(demo, "BIG_ROWS", 2000)  # the real demo generates 1.2 million rows
    admin = load_demo()
    datasets = Dataset.objects.filter(status="published")
    assert datasets.count() >= 10
    assert {d.access_level for d in datasets} == {"open", "shared", "restricted"}
    for dataset in datasets:
        resource = dataset.resources.get()
        assert resource.ingest_status == "ok", (dataset.slug, resource.ingest_error)
    bus = Dataset.objects.get(slug="validations-bibus-par-arret-et-heure").resources.get()
    assert bus.current_version.row_count == 2000
    body = client.get(f"/api/1/resources/{bus.rid}/data/?ligne__groupby&validations__sum").json()
    assert body["meta"]["total"] == 10
    eau = Dataset.objects.get(slug="consommation-eau-par-iris").resources.get()
    assert eau.current_version.validation_report["schema"] is True
    sport = Dataset.objects.get(slug="equipements-sportifs").resources.get()
    assert sport.current_version.geometry_column == "geometry"
    demo.load(admin, lambda _m: None)  # idempotent
    assert Dataset.objects.count() == datasets.count()
    assert client.get("/api/3/action/package_list").json()["result"]
