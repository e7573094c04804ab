"""The registers' demo loader: realistic content, idempotent."""

from __future__ import annotations

import pytest

from spld.lineage.models import Run
from spld.registers import demo
from spld.registers.models import Algorithm, DataFlow, ImpactAssessment, ProcessingActivity, Usage
from tests.registers.conftest import load_base_demo

pytestmark = pytest.mark.django_db


def test_demo_loads_twice_without_duplicates(client, monkeypatch):
    # The other apps' loaders (catalogue ingestion…) are slow and tested by their owners;
    # the registers' loader copes with missing datasets.
    admin = load_base_demo(monkeypatch)
    demo.load(admin, lambda _m: None)
    counts = (ProcessingActivity.objects.count(), DataFlow.objects.count(),
              Usage.objects.count(), Algorithm.objects.count(), Run.objects.count())
    assert counts[0] >= 4 and counts[1] >= 6 and counts[2] >= 4 and counts[3] >= 4
    published = ImpactAssessment.objects.filter(status="published")
    assert published.count() == 2
    assert {a.source for a in published} == {"cnil_pia", "manual"}
    assert all(a.published_before_start for a in published)
    demo.load(admin, lambda _m: None)  # idempotent
    assert counts == (ProcessingActivity.objects.count(), DataFlow.objects.count(),
                      Usage.objects.count(), Algorithm.objects.count(), Run.objects.count())
    bus = Usage.objects.get(title="Restructuration du réseau Bibus 2026")
    page = client.get(f"/lignage/executions/{bus.lineage_run}/")
    assert page.status_code == 200 and "matrice_origine_destination" in page.content.decode()
    for url in ["/registres/", "/registres/qui-detient-mes-donnees/", "/registres/partages/",
                "/registres/usages/", "/registres/algorithmes/", "/registres/analyses-d-impact/",
                bus.get_absolute_url(), "/registres/organisations/brest-metropole/partages/"]:
        assert client.get(url).status_code == 200, url
    housing = Algorithm.objects.get(name="Cotation de la demande de logement social")
    assert housing.version == 2
