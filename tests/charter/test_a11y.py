"""The charter pages in headless Chromium: no serious axe-core problem, no CSP error."""

from __future__ import annotations

import datetime as dt

import pytest

from spld.charter import services
from tests.browser_support import CHROMIUM, check_pages
from tests.charter.conftest import activate, raise_alert
from tests.factories import make_organization, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True),
              pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium not installed")]

PAGES = [
    ("/charte/signataires/", "Signataires de la charte"),
    ("/charte/signataires/eau-du-ponant/", "Eau du Ponant"),
    ("/charte/alertes/", "Alertes et décisions"),
    ("/charte/comite/", "Comité d’éthique"),
    ("/charte/versions/2/", "version 2"),
    ("/charte/indicateurs/", "Indicateurs"),
    ("/charte/rapports/2020/", "Rapport annuel 2020"),
]


def test_charter_pages_are_accessible(live_server, page):
    admin = make_user("a11y-admin@spld.example", superuser=True)
    org = make_organization(slug="eau-du-ponant", name="Eau du Ponant", kind="public_company")
    services.seed_first_version(actor=admin)
    services.adopt_version(actor=admin, adopted_on=dt.date(2025, 1, 1),
                           adopted_by="Conseil", changelog="c", reasons="r",
                           changes={6: {"body": "Texte nouveau.", "change_reason": "Clarté"}})
    membership = activate(admin, org)
    raise_alert(admin, membership)
    services.publish_opinion(actor=admin, subject_kind="membership", membership=membership,
                             title="Avis", body="Texte")
    services.record_indicator_values(actor=admin)
    report = services.generate_annual_report(actor=admin, year=2020)
    services.publish_annual_report(actor=admin, report=report)
    problems = check_pages(page, live_server.url, PAGES)
    assert not problems, "\n".join(problems)
