"""HTML pages: public registers, the charter space (permission matrix), forms and uploads."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from spld.charter import services
from spld.charter.models import CapacityAnswer, Evidence, Membership, Opinion
from spld.ledger.models import LogEntry
from tests.charter.conftest import raise_alert
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _zip(*entries: tuple[str, bytes], stored_first: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for n, (name, data) in enumerate(entries):
            method = zipfile.ZIP_STORED if stored_first and n == 0 else zipfile.ZIP_DEFLATED
            archive.writestr(name, data, compress_type=method)
    return buffer.getvalue()


def _odf(mimetype: bytes) -> bytes:
    """An ODF package as the spec lays it out: a stored "mimetype" entry first."""
    return _zip(("mimetype", mimetype), ("content.xml", b"<office:document-content/>"),
                ("META-INF/manifest.xml", b"<manifest:manifest/>"), stored_first=True)


def _xlsx() -> bytes:
    """A real workbook written by openpyxl."""
    import openpyxl

    buffer = io.BytesIO()
    workbook = openpyxl.Workbook()
    workbook.active.append(["indicateur", "valeur"])
    workbook.save(buffer)
    return buffer.getvalue()


def _docx() -> bytes:
    main = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    return _zip(("[Content_Types].xml", b'<Types><Override PartName="/word/document.xml" '
                 b'ContentType="' + main + b'"/></Types>'),
                ("word/document.xml", b"<w:document/>"))


def login(client, user):
    assert client.login(username=user.email, password=PASSWORD)


def test_public_pages(client, spld_admin, active, committee_member):
    raise_alert(spld_admin, active)
    services.publish_opinion(actor=committee_member, subject_kind="membership",
                             membership=active, title="Avis sur l’adhésion", body="Favorable.")
    slug = active.organization.slug
    pages = {
        "/charte/signataires/": "Signataires de la charte",
        f"/charte/signataires/{slug}/": "Tableau de bord",
        "/charte/alertes/": "Alertes et décisions",
        f"/charte/alertes/{active.alerts.get().pk}/": "Correction attendue",
        "/charte/comite/": "Comité d’éthique",
        f"/charte/comite/avis/{Opinion.objects.get().pk}/": "Favorable.",
        "/charte/versions/": "Versions de la charte",
        "/charte/versions/1/": "Texte complet",
        "/charte/indicateurs/": "Données ouvertes",
        "/charte/rapports/": "Rapports annuels",
        "/en/charte/signataires/": "<html lang=\"en\"",
    }
    for url, text in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert text in response.content.decode(), url
    assert client.get("/charte/signataires/?statut=alert_1").context["memberships"].count() == 1
    assert client.get("/charte/signataires/inconnue/").status_code == 404
    assert client.get("/charte/versions/9/").status_code == 404
    scorecard = client.get(f"/charte/signataires/{slug}/").content.decode()
    assert "<svg" in scorecard and "<caption>" in scorecard


def test_signatories_page_shows_every_status_and_history(client, spld_admin, active):
    raise_alert(spld_admin, active)
    html = client.get("/charte/signataires/").content.decode()
    assert "alerte de niveau 1" in html and "Alerte de niveau 1 (principe 6)" in html


def test_space_permission_matrix(client, org, org_admin, editor, citizen, other_org,
                                 committee_member, spld_admin, version_one):
    url = f"/charte/espace/{org.slug}/"
    assert client.get(url).status_code == 302  # anonymous → sign in
    login(client, citizen)
    assert client.get(url).status_code == 403
    for user in (org_admin, editor, committee_member, spld_admin):
        client.logout()
        login(client, user)
        assert client.get(url).status_code == 200, user


def test_apply_answer_with_evidence_and_submit_in_the_ui(client, org, org_admin, version_one):
    login(client, org_admin)
    base = f"/charte/espace/{org.slug}/"
    r = client.post(base + "apply/", {"route": "voluntary", "motivation": "Pour la donnée"})
    assert r.status_code == 302
    membership = Membership.objects.get(organization=org)
    for n in range(1, 12):
        data = {"principle": n, "practice": "Nous le faisons.", "responsible": "DPO"}
        if n == 6:
            data |= {"evidence_label": "Registre",
                     "evidence_file": SimpleUploadedFile("registre.pdf", PDF, "application/pdf")}
        assert client.post(base + "answer/", data).status_code == 302
    evidence = Evidence.objects.get()
    assert evidence.content_type == "application/pdf" and evidence.size == len(PDF)
    assert client.post(base + "transmettre/").status_code == 302
    membership.refresh_from_db()
    assert membership.status == "under_review"


@pytest.mark.parametrize("name,content,message", [
    ("virus.exe", b"MZ\x90\x00", "Type de fichier refusé"),
    ("faux.pdf", b"<html>not a pdf</html>", "ne correspond pas"),
    ("vide.txt", b"", "vide"),
    ("binaire.csv", b"a;b\x00\x01\x02", "binaires"),
    ("archive.odt", _zip(("photo.jpg", b"\xff\xd8\xff")), "pas un document .odt"),
    ("tableur.odt", _odf(b"application/vnd.oasis.opendocument.spreadsheet"),
     "pas un document .odt"),
    ("compresse.odt", _zip(("mimetype", b"application/vnd.oasis.opendocument.text")),
     "pas un document .odt"),
    ("classeur.docx", _xlsx(), "pas un document .docx"),
    ("archive.xlsx", _zip(("a.txt", b"x")), "pas un document .xlsx"),
    ("tronque.docx", _docx()[:40], "pas un document .docx"),
])
def test_evidence_files_are_type_checked(client, org, org_admin, version_one, name, content,
                                         message):
    services.apply(actor=org_admin, organization=org)
    login(client, org_admin)
    r = client.post(f"/charte/espace/{org.slug}/answer/", {
        "principle": 1, "practice": "x", "responsible": "DPO", "evidence_label": "preuve",
        "evidence_file": SimpleUploadedFile(name, content)})
    assert r.status_code == 400
    assert message in r.content.decode()
    assert not Evidence.objects.exists()
    assert not CapacityAnswer.objects.exists()  # nothing half-written


@pytest.mark.parametrize("name,content,content_type", [
    ("rapport.odt", _odf(b"application/vnd.oasis.opendocument.text"),
     "application/vnd.oasis.opendocument.text"),
    ("tableau.ods", _odf(b"application/vnd.oasis.opendocument.spreadsheet"),
     "application/vnd.oasis.opendocument.spreadsheet"),
    ("classeur.xlsx", _xlsx(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("note.docx", _docx(),
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
])
def test_office_documents_are_accepted_by_their_declared_type(
        client, org, org_admin, version_one, name, content, content_type):
    services.apply(actor=org_admin, organization=org)
    login(client, org_admin)
    r = client.post(f"/charte/espace/{org.slug}/answer/", {
        "principle": 1, "practice": "x", "responsible": "DPO", "evidence_label": "preuve",
        "evidence_file": SimpleUploadedFile(name, content)})
    assert r.status_code == 302, r.content.decode()[:500]
    evidence = Evidence.objects.get()
    assert evidence.content_type == content_type and evidence.size == len(content)


def test_evidence_file_size_is_checked(client, org, org_admin, version_one, settings):
    settings.CHARTER_EVIDENCE_MAX_BYTES = 100
    services.apply(actor=org_admin, organization=org)
    login(client, org_admin)
    r = client.post(f"/charte/espace/{org.slug}/answer/", {
        "principle": 1, "practice": "x", "responsible": "DPO",
        "evidence_file": SimpleUploadedFile("gros.pdf", PDF + b"0" * 200)})
    assert r.status_code == 400 and "trop volumineux" in r.content.decode()
    assert not Evidence.objects.exists()


def test_illegal_transition_in_the_ui_is_a_409_listing_the_allowed(client, spld_admin,
                                                                    final_notice):
    services.exclude(actor=spld_admin, membership=final_notice, decision="Exclu", votes_for=3,
                     votes_against=0)
    login(client, spld_admin)
    r = client.post(f"/charte/espace/{final_notice.organization.slug}/transition/",
                    {"to_status": "active", "reason": "Retour"})
    assert r.status_code == 409
    html = r.content.decode()
    assert "Passage interdit" in html and "applied" in html


def test_team_raises_an_alert_and_signatory_answers(client, spld_admin, editor, active):
    login(client, spld_admin)
    base = f"/charte/espace/{active.organization.slug}/"
    past = {"principle": 8, "facts": "Pas de résultats", "expected_remedy": "Publier",
            "deadline": (timezone.localdate() - dt.timedelta(days=1)).isoformat()}
    r = client.post(base + "alert/", past)
    assert r.status_code == 400 and "futur" in r.content.decode()
    r = client.post(base + "alert/", {**past, "deadline": (
        timezone.localdate() + dt.timedelta(days=20)).isoformat()})
    assert r.status_code == 302
    alert = active.alerts.get()
    client.logout()
    login(client, editor)
    assert client.post(f"/charte/alertes/{alert.pk}/repondre/",
                       {"answer": "C’est corrigé."}).status_code == 302
    alert.refresh_from_db()
    assert alert.status == "answered"


def test_evaluation_twice_in_the_ui(client, dpo, active):
    login(client, dpo)
    data = {"year": timezone.localdate().year, "summary": "ok"}
    data |= {f"level_{n}": "met" for n in range(1, 12)}
    url = f"/charte/espace/{active.organization.slug}/evaluation/"
    assert client.post(url, data).status_code == 302
    r = client.post(url, data)
    assert r.status_code == 409 and "deux fois" in r.content.decode()


def test_committee_publishes_opinions_citizens_cannot(client, committee_member, citizen,
                                                      active):
    login(client, citizen)
    assert client.post("/charte/comite/", {"subject_kind": "charter", "title": "t",
                                           "body": "b"}).status_code == 403
    client.logout()
    login(client, committee_member)
    r = client.post("/charte/comite/", {"subject_kind": "algorithm", "title": "Avis",
                                        "body": "Texte"})
    assert r.status_code == 400 and "algorithme" in r.content.decode()
    r = client.post("/charte/comite/", {"subject_kind": "algorithm", "subject_ref": "score-x",
                                        "title": "Avis", "body": "Texte"})
    assert r.status_code == 302
    assert LogEntry.objects.filter(subject_type="charter_opinion").count() == 1


def test_version_two_diff_and_reasons(client, spld_admin, version_one):
    import pytest as _pytest
    from django.core.exceptions import ValidationError

    with _pytest.raises(ValidationError):
        services.adopt_version(actor=spld_admin, adopted_on=dt.date(2025, 1, 1),
                               adopted_by="Conseil", changelog="c", reasons="",
                               changes={6: {"body": "Nouveau texte"}})
    services.adopt_version(actor=spld_admin, adopted_on=dt.date(2025, 1, 1),
                           adopted_by="Conseil", changelog="Principe 6 précisé",
                           reasons="Consultation", changes={6: {
                               "body": "Les signataires publient leur analyse d’impact avant.",
                               "change_reason": "Demande des habitants"}})
    html = client.get("/charte/versions/2/").content.decode()
    assert '<ins class="diff">' in html and '<del class="diff">' in html
    assert "Demande des habitants" in html
    assert html.count("<h3>") >= 12  # one changed principle + the 11 of the full text


def test_committee_meetings_and_minutes(client, committee_member):
    login(client, committee_member)
    today = timezone.localdate()
    r = client.post("/charte/comite/", {"form": "meeting", "date": today.isoformat(),
                                        "title": "Séance", "agenda": "1. Alertes"})
    assert r.status_code == 302
    from spld.charter.models import CommitteeMeeting

    meeting = CommitteeMeeting.objects.get()
    r = client.post("/charte/comite/", {"form": "minutes", "meeting": meeting.pk,
                                        "minutes": ""})
    assert r.status_code == 400
    r = client.post("/charte/comite/", {"form": "minutes", "meeting": meeting.pk,
                                        "minutes": "Le comité a siégé."})
    assert r.status_code == 302
    assert "Le comité a siégé." in client.get("/charte/comite/").content.decode()
    assert LogEntry.objects.filter(subject_type="charter_committee_meeting").count() == 2


def test_team_dismisses_an_automatic_proposal(client, spld_admin, active):
    from spld.charter.models import Alert, IndicatorValue

    for days in (20, 10):
        IndicatorValue.objects.create(organization=active.organization, code="usage_results",
                                      at_date=timezone.localdate() - dt.timedelta(days=days),
                                      value=0.0)
    proposal = services.propose_alerts_from_indicators(actor=spld_admin)[0]
    login(client, spld_admin)
    assert "Alertes proposées" in client.get(
        f"/charte/espace/{active.organization.slug}/").content.decode()
    r = client.post(f"/charte/alertes/{proposal.pk}/ecarter/", {"reason": "Données en cours"})
    assert r.status_code == 302
    assert Alert.objects.get(pk=proposal.pk).status == "dismissed"
    active.refresh_from_db()
    assert active.status == "active"


def test_team_appoints_committee_members(client, spld_admin, committee_member):
    login(client, committee_member)
    data = {"form": "member", "name": "Membre", "college": "experts",
            "mandate_start": "2026-01-01", "mandate_end": "2025-01-01"}
    assert client.post("/charte/comite/", data).status_code == 403  # the team appoints
    client.logout()
    login(client, spld_admin)
    r = client.post("/charte/comite/", data)
    assert r.status_code == 400 and "finir après" in r.content.decode()
    r = client.post("/charte/comite/", {**data, "mandate_start": "2024-01-01",
                                        "mandate_end": "2099-01-01"})
    assert r.status_code == 302
    assert "Membre" in client.get("/charte/comite/").content.decode()


def test_evidence_files_are_private(client, org, org_admin, citizen, committee_member,
                                    version_one):
    membership = services.apply(actor=org_admin, organization=org)
    answer = services.save_answer(actor=org_admin, assessment=membership.assessments.get(),
                                  principle=6, practice="x", responsible="DPO")
    evidence = services.add_evidence(actor=org_admin, answer=answer, label="Registre",
                                     file=SimpleUploadedFile("registre.pdf", PDF))
    url = f"/charte/espace/{org.slug}/preuves/{evidence.pk}/"
    assert client.get(url).status_code == 302
    login(client, citizen)
    assert client.get(url).status_code == 403
    client.logout()
    login(client, committee_member)
    r = client.get(url)
    assert r.status_code == 200 and b"".join(r.streaming_content) == PDF
    assert client.get(f"/charte/espace/autre/preuves/{evidence.pk}/").status_code == 404


def test_public_evaluations_on_the_signatory_page(client, dpo, active):
    services.submit_evaluation(actor=dpo, membership=active, year=timezone.localdate().year,
                               answers={n: ("partial", f"Commentaire {n}")
                                        for n in range(1, 12)}, summary="Synthèse publique")
    html = client.get(f"/charte/signataires/{active.organization.slug}/").content.decode()
    assert "Synthèse publique" in html and "Commentaire 11" in html
