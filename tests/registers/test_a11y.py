"""The registers' public pages in headless Chromium: no serious axe-core problem, no CSP error."""

from __future__ import annotations

import pytest

from tests.browser_support import CHROMIUM, check_pages, serious_violations
from tests.registers.conftest import load_base_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True),
              pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium not installed")]


def test_register_pages_are_accessible(live_server, page, monkeypatch):
    from spld.registers import demo
    from spld.registers.models import Algorithm, ImpactAssessment, ProcessingActivity, Usage

    admin = load_base_demo(monkeypatch)
    demo.load(admin, lambda _m: None)
    bus = Usage.objects.get(title="Restructuration du réseau Bibus 2026")
    canteen = Usage.objects.get(title="Prévision de la fréquentation des cantines")
    housing = Algorithm.objects.get(name="Cotation de la demande de logement social")
    pages = [
        ("/registres/", "registres"),
        ("/registres/qui-detient-mes-donnees/", "Qui détient mes données ?"),
        (ProcessingActivity.objects.first().get_absolute_url(), ""),
        ("/registres/partages/", "Qui partage"),
        ("/registres/organisations/brest-metropole/partages/", "Avec qui"),
        ("/registres/usages/", "Cartographie des usages"),
        (canteen.get_absolute_url(), canteen.title),
        ("/registres/algorithmes/", "Algorithmes publics"),
        (housing.get_absolute_url(), housing.name),
        (f"/registres/algorithmes/{housing.uid}/versions/1/", "version 1"),
        (f"/registres/algorithmes/{housing.uid}/expliquer/", "Comprendre"),
        ("/registres/analyses-d-impact/", "Analyses d’impact"),
        (ImpactAssessment.objects.filter(status="published").first().get_absolute_url(),
         "Analyse d’impact"),
        (f"/lignage/executions/{bus.lineage_run}/", "Le chemin des données"),
    ]
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    problems = check_pages(page, live_server.url, pages)
    # The explanation form, filled in and posted.
    page.goto(live_server.url + f"/registres/algorithmes/{housing.uid}/expliquer/")
    page.fill("#id_anciennete", "24")
    page.select_option("#id_ressources", "moins de 500 €")
    page.select_option("#id_situation", "hébergé chez un tiers")
    page.select_option("#id_handicap", "non")
    page.fill("#id_enfants", "2")
    page.click("button[type=submit]")
    assert "Total : 109 points." in page.content()
    problems += serious_violations(page, "explanation: ")
    assert not problems, "\n".join(problems)
    assert not [e for e in errors if "Content Security Policy" in e], errors
