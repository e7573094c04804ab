"""The annual report: facts, readability, PDF rendered to PNG, CLI, admin button, publication."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pypdfium2
import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone
from PIL import Image

from spld.charter import report as report_module
from spld.charter import services
from spld.charter.models import AnnualReport, IndicatorValue
from spld.ledger.models import LogEntry
from tests.charter.conftest import all_met, raise_alert
from tests.factories import PASSWORD
from tests.system_deps import require_weasyprint

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _pango():
    require_weasyprint()
BAR_BLUE = (0x1D, 0x4F, 0x91)


def render_png(pdf: bytes, tmp_path: Path) -> list[Path]:
    """PDF → one PNG per page with PDFium (pypdfium2 from PyPI, no system program)."""
    document = pypdfium2.PdfDocument(pdf)
    pages = []
    for number, page in enumerate(document, start=1):
        path = tmp_path / f"page-{number:03d}.png"
        page.render(scale=40 / 72).to_pil().save(path)
        pages.append(path)
    return pages


def pdf_text(pdf: bytes) -> str:
    """The text layer of every page, read with PDFium."""
    document = pypdfium2.PdfDocument(pdf)
    return "\n".join(page.get_textpage().get_text_range() for page in document)


def blue_pixels(png: Path) -> int:
    image = Image.open(png).convert("RGB")
    return sum(1 for px in image.get_flattened_data()
               if all(abs(a - b) < 25 for a, b in zip(px, BAR_BLUE, strict=True)))


def test_a_year_without_data_gives_an_honest_report(spld_admin, tmp_path):
    report = services.generate_annual_report(actor=spld_admin, year=2015)
    assert report.facts["new_signatories"] == [] and report.facts["alerts"]["total"] == 0
    lines = report_module.prose(report.facts)
    assert "aucune organisation n’a rejoint la charte" in lines[0]
    assert "Aucun indicateur n’a pu être mesuré cette année." in lines
    pdf = report.pdf.read()
    assert pdf.startswith(b"%PDF") and hashlib.sha256(pdf).hexdigest() == report.pdf_sha256
    assert len(render_png(pdf, tmp_path)) >= 1


def test_report_with_data_has_pages_and_charts(spld_admin, dpo, committee_member, active,
                                               tmp_path):
    year = timezone.localdate().year
    raise_alert(spld_admin, active)
    services.remediate(actor=spld_admin, membership=active, reason="Corrigé")
    services.submit_evaluation(actor=dpo, membership=active, year=year, answers=all_met())
    services.publish_opinion(actor=committee_member, subject_kind="membership",
                             membership=active, title="Avis", body="Le comité est satisfait.")
    for code, value in (("open_datasets", 40.0), ("dpia_published", 100.0)):
        IndicatorValue.objects.create(organization=active.organization, code=code,
                                      at_date=timezone.localdate(), value=value)
    report = services.generate_annual_report(actor=spld_admin, year=year)
    facts = report.facts
    assert facts["new_signatories"] == [active.organization.name]
    assert facts["remediations"] == [active.organization.name]
    assert facts["evaluations"] == 1 and facts["alerts"]["total"] == 1
    rows = {r["code"]: r for r in facts["indicators"]}
    assert rows["open_datasets"]["mean"] == 40.0 and rows["open_datasets"]["below"] == 1
    assert report.readability is not None
    pdf = report.pdf.read()
    pages = render_png(pdf, tmp_path)
    assert len(pages) >= 2
    # the two charts are drawn with the bar colour: enough of it must be on the pages
    assert sum(blue_pixels(p) for p in pages) > 200
    text = pdf_text(pdf)
    assert f"Indicateurs {year}" in text and "Le comité est satisfait." in text


def test_readability_is_shown_to_the_editor_and_drafts_are_private(client, spld_admin,
                                                                   citizen):
    services.generate_annual_report(actor=spld_admin, year=2016)
    assert client.get("/charte/rapports/2016/").status_code == 404
    assert client.get("/charte/rapports/2016.pdf").status_code == 404
    client.login(username=spld_admin.email, password=PASSWORD)
    html = client.get("/charte/rapports/2016/").content.decode()
    assert "Score de lisibilité" in html and "objectif : 60" in html
    r = client.post("/charte/rapports/2016/", {
        "introduction": "Ce texte est court. Il est facile à lire.",
        "recommendations": "Publier plus tôt."})
    assert r.status_code == 302
    report = AnnualReport.objects.get(year=2016)
    assert report.introduction.startswith("Ce texte") and report.readability > 0


def test_publication_logs_the_hash_and_freezes_the_report(client, spld_admin):
    report = services.generate_annual_report(actor=spld_admin, year=2017)
    services.publish_annual_report(actor=spld_admin, report=report)
    entry = LogEntry.objects.get(subject_type="charter_annual_report", action="published")
    assert json.loads(bytes(entry.payload))["pdf_sha256"] == report.pdf_sha256
    with pytest.raises(ValidationError):
        services.publish_annual_report(actor=spld_admin, report=report)
    with pytest.raises(ValidationError):
        services.generate_annual_report(actor=spld_admin, year=2017)
    r = client.get("/charte/rapports/2017.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert client.get("/charte/rapports/").context["reports"].count() == 1


def test_future_year_is_rejected(spld_admin):
    with pytest.raises(ValidationError):
        services.generate_annual_report(actor=spld_admin, year=timezone.localdate().year + 1)


def test_cli_writes_the_pdf(tmp_path, db):
    output = tmp_path / "rapport.pdf"
    call_command("report", "annual", "--year", "2018", "--output", str(output), "--publish")
    assert output.read_bytes().startswith(b"%PDF")
    report = AnnualReport.objects.get(year=2018)
    assert report.status == "published"
    assert hashlib.sha256(output.read_bytes()).hexdigest() == report.pdf_sha256


@pytest.mark.django_db(transaction=True)
def test_admin_button_queues_the_generation(client, spld_admin):
    client.login(username=spld_admin.email, password=PASSWORD)
    assert client.get("/admin/charter/annualreport/").status_code == 200
    r = client.post("/admin/charter/annualreport/generer/", {"year": "2019"})
    assert r.status_code == 302
    assert not AnnualReport.objects.filter(year=2019).exists()  # not inside the request
    call_command("db_worker", batch=True, reload=False)
    assert AnnualReport.objects.get(year=2019).pdf_sha256


def test_daily_checks_command(spld_admin, active):
    active.active_since = timezone.make_aware(dt.datetime(timezone.localdate().year - 2, 1, 1))
    active.save()
    call_command("charter", "check")
    assert IndicatorValue.objects.filter(organization=active.organization).exists()
    call_command("charter", "seed")


@pytest.mark.django_db(transaction=True)
def test_report_page_buttons_generate_then_publish(client, spld_admin, citizen):
    client.login(username=citizen.email, password=PASSWORD)
    assert client.post("/charte/rapports/generer/", {"year": "2021"}).status_code == 403
    client.logout()
    client.login(username=spld_admin.email, password=PASSWORD)
    r = client.post("/charte/rapports/generer/", {"year": "1900"})
    assert r.status_code == 302 and not AnnualReport.objects.exists()
    assert client.post("/charte/rapports/generer/", {"year": "2021"}).status_code == 302
    call_command("db_worker", batch=True, reload=False)
    report = AnnualReport.objects.get(year=2021)
    from spld.core.models import TaskProgress

    assert TaskProgress.objects.get(owner=spld_admin).label == "Rapport annuel 2021"
    assert client.post("/charte/rapports/2021/publier/").status_code == 302
    report.refresh_from_db()
    assert report.status == "published" and report.published_at is not None
    r = client.post("/charte/rapports/2021/publier/", follow=True)
    assert "déjà publié" in r.content.decode()
