"""Rights requests: routing, back-office answers, package, refusals, deadlines, access log."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from spld.rights import routing, selectors, services
from spld.rights.models import AccessLogEntry, Attachment, RequestPart, RightsRequest
from tests.factories import make_organization, make_user
from tests.rights.conftest import make_activity

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def other_dpo(other_org):
    return make_user("dpo@sotraval.example", memberships=[(other_org, "dpo")])


def file_access_request(client, citizen, orgs, kind="access", files=None):
    client.force_login(citizen)
    url = reverse("rights:request_new") + f"?kind={kind}&commune=29019"
    data = {"organizations": [str(o.pk) for o in orgs], "details": "Abonné n° 12345"}
    if files:
        data["attachments"] = files
    return client.post(url, data)


def test_routing_proposes_organisations_from_the_register(client, citizen, org, other_org):
    from django.apps import apps

    make_activity(org, subjects=("abonnés au service de l’eau",))
    make_activity(other_org, name="Collecte des déchets", subjects=("usagers des déchèteries",))
    if apps.is_installed("spld.registers"):
        assert "abonnés au service de l’eau" in routing.situations()
        chosen = routing.propose(user=citizen, chosen_situations=["abonnés au service de l’eau"])
        assert [p.organization for p in chosen] == [org]
        assert chosen[0].activities and chosen[0].reasons == ["register"]
    client.force_login(citizen)
    page = client.get(reverse("rights:request_new"))
    assert page.status_code == 200
    step2 = client.get(reverse("rights:request_new") + "?kind=access&commune=29019")
    assert step2.status_code == 200 and "Envoyer ma demande" in step2.content.decode()
    bad = client.get(reverse("rights:request_new") + "?kind=access&commune=abc")
    assert bad.status_code == 400
    assert "Choisissez votre commune dans la liste." in bad.content.decode()


def test_access_request_routed_to_two_organisations_answered_and_packaged(
        client, citizen, citizen2, org, other_org, dpo, other_dpo, editor):
    response = file_access_request(client, citizen, [org, other_org],
                                   files=[SimpleUploadedFile("justificatif.pdf", PDF)])
    assert response.status_code == 302, response.content
    request = RightsRequest.objects.get()
    assert request.parts.count() == 2
    part = request.parts.get(organization=org)
    assert part.due_on == date.fromordinal(part.received_on.toordinal()) + (
        part.due_on - part.received_on)
    assert bytes(request.details_sealed) and b"12345" not in bytes(request.details_sealed)
    assert b"%PDF" not in bytes(Attachment.objects.get().content_sealed)

    # Each organisation sees only its own part.
    client.force_login(dpo)
    listing = client.get(reverse("rights:backoffice", args=[org.slug]))
    assert listing.status_code == 200 and str(part.uid) in listing.content.decode()
    other_part = request.parts.get(organization=other_org)
    assert str(other_part.uid) not in listing.content.decode()
    assert client.get(reverse("rights:backoffice_part", args=[org.slug, other_part.uid])
                      ).status_code == 404
    assert client.get(reverse("rights:backoffice", args=[other_org.slug])).status_code == 403
    detail = client.get(reverse("rights:backoffice_part", args=[org.slug, part.uid]))
    assert detail.status_code == 200 and "Abonné n° 12345" in detail.content.decode()
    attachment = Attachment.objects.get()
    download = client.get(reverse("rights:backoffice_attachment",
                                  args=[org.slug, part.uid, attachment.pk]))
    assert download.content == PDF
    answer = client.post(reverse("rights:backoffice_part", args=[org.slug, part.uid]), {
        "action": "complete", "c-answer": "Voici vos données d’abonné.",
        "c-data_file": SimpleUploadedFile("data.json", json.dumps(
            [{"contrat": "12345", "adresse": "1 rue de Siam"}]).encode()),
    })
    assert answer.status_code == 302, answer.content
    client.force_login(other_dpo)
    client.post(reverse("rights:backoffice_part", args=[other_org.slug, other_part.uid]), {
        "action": "complete", "c-answer": "Passages en déchèterie.",
        "c-data_file": SimpleUploadedFile("data.csv", b"date;site\n2026-01-03;Spernot\n"),
    })
    part.refresh_from_db()
    assert part.status == "done" and part.receipt is not None and part.answered_on_time

    # An editor (no DPO role) never reads requests.
    client.force_login(editor)
    assert client.get(reverse("rights:backoffice", args=[org.slug])).status_code == 403

    # The citizen downloads the package through the signed link.
    client.force_login(citizen)
    page = client.get(reverse("rights:request", args=[request.uid])).content.decode()
    assert "Voici vos données d’abonné." in page
    link = page.split('id="package-link" href="')[1].split('"')[0]
    package = client.get(link)
    assert package.status_code == 200 and package["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(package.content))
    names = set(archive.namelist())
    assert {f"{org.slug}/donnees.json", f"{org.slug}/donnees.csv", "LISEZ-MOI.txt",
            f"{other_org.slug}/donnees.csv", f"{org.slug}/recu.jws"} <= names
    assert json.loads(archive.read(f"{org.slug}/donnees.json"))[0]["contrat"] == "12345"
    assert "Spernot" in archive.read(f"{other_org.slug}/donnees.csv").decode()

    # Another citizen gets nothing, even with the link.
    client.force_login(citizen2)
    assert client.get(link).status_code == 404
    assert client.get(reverse("rights:request", args=[request.uid])).status_code == 404
    assert "Accès" not in client.get(reverse("rights:space")).content.decode().split(
        "Mes demandes")[1].split("Mes reçus")[0]
    client.force_login(citizen)
    with override_settings(RIGHTS_PACKAGE_LINK_SECONDS=-1):
        assert client.get(link).status_code == 410
    assert client.get(reverse("rights:package", args=["forged"])).status_code == 404

    # The access log: the citizen sees the DPO's reads; the DPO exports without addresses.
    reads = selectors.access_log_for_citizen(citizen)
    assert reads.filter(record_type="request_part").exists()
    assert reads.filter(record_type="attachment").exists()
    space = client.get(reverse("rights:space")).content.decode()
    assert "Qui a consulté mes données" in space and org.name in space
    client.force_login(dpo)
    export = client.get(reverse("rights:access_log_export", args=[org.slug]))
    text = export.content.decode()
    assert export.status_code == 200 and "request_part" in text and "habitant" not in text
    client.force_login(citizen2)
    assert not selectors.access_log_for_citizen(citizen2).exists()
    assert client.get(reverse("rights:access_log_export", args=[org.slug])).status_code == 403


def test_refusal_shows_cnil_and_cada(client, citizen, org, dpo):
    file_access_request(client, citizen, [org], kind="erasure")
    part = RequestPart.objects.get()
    client.force_login(dpo)
    bad = client.post(reverse("rights:backoffice_part", args=[org.slug, part.uid]),
                      {"action": "refuse", "r-reason": "legal_obligation", "r-details": ""})
    assert bad.status_code == 400
    ok = client.post(reverse("rights:backoffice_part", args=[org.slug, part.uid]), {
        "action": "refuse", "r-reason": "legal_obligation", "r-cada_relevant": "on",
        "r-details": "Les factures sont conservées dix ans (code de commerce).",
    })
    assert ok.status_code == 302
    client.force_login(citizen)
    page = client.get(reverse("rights:request", args=[part.request.uid])).content.decode()
    assert "CNIL" in page and "cnil.fr/fr/plaintes" in page and "CADA" in page
    assert "dix ans" in page


def test_extension_only_with_reason_within_first_month(client, citizen, org, dpo):
    file_access_request(client, citizen, [org])
    part = RequestPart.objects.get()
    with pytest.raises(Exception, match="motivée"):
        services.extend_part(actor=dpo, part=part, reason="  ")
    services.extend_part(actor=dpo, part=part, reason="Archives à consulter sur plusieurs sites")
    part.refresh_from_db()
    assert part.status == "extended" and part.deadline > part.due_on
    assert part.extension_notified_at is not None

    file_access_request(client, citizen, [org], kind="rectification")
    late = RequestPart.objects.get(request__kind="rectification")
    RequestPart.objects.filter(pk=late.pk).update(
        received_on=timezone.localdate() - timedelta(days=40))
    late.refresh_from_db()
    client.force_login(dpo)
    response = client.post(reverse("rights:backoffice_part", args=[org.slug, late.uid]),
                           {"action": "extend", "e-reason": "Trop tard"})
    assert response.status_code == 400 and "premier mois" in response.content.decode()


def test_overdue_flagging_and_on_time_share(client, citizen, org, dpo, spld_admin, mailoutbox):
    file_access_request(client, citizen, [org])
    file_access_request(client, citizen, [org], kind="objection")
    late, answered = RequestPart.objects.order_by("pk")
    past = timezone.localdate() - timedelta(days=45)
    RequestPart.objects.filter(pk=late.pk).update(received_on=past, due_on=past + timedelta(30))
    mailoutbox.clear()
    assert services.flag_overdue() == 1
    assert services.flag_overdue() == 0  # flagged once
    assert any(spld_admin.email in m.to for m in mailoutbox)
    assert all("habitant" not in m.body for m in mailoutbox)
    late.refresh_from_db()
    assert late.is_overdue and late.overdue_flagged_at is not None
    assert [p.pk for p in selectors.overdue_parts(org)] == [late.pk]
    services.complete_part(actor=dpo, part=answered, answer="Opposition enregistrée.")
    start, end = date(2000, 1, 1), date(2100, 1, 1)
    # The late part counts as late; the answered one is on time though its deadline is ahead.
    assert selectors.on_time_share(org, start, end) == pytest.approx(0.5) or (
        selectors.on_time_share(org, start, end) == 0.0)
    assert selectors.on_time_share(make_organization("vide"), start, end) is None


def test_on_time_share_counts_answers_by_deadline(citizen, org, dpo, client):
    file_access_request(client, citizen, [org])
    part = RequestPart.objects.get()
    services.complete_part(actor=dpo, part=part, answer="Fait.")
    deadline = part.deadline
    assert selectors.on_time_share(org, deadline, deadline) == 1.0
    assert selectors.on_time_share(org, deadline + timedelta(1), deadline + timedelta(9)) is None


@pytest.mark.parametrize("name,content,message", [
    ("virus.exe", b"MZ\x90\x00\x03\x00\x00\x00", "Type de fichier refusé"),
    ("gros.pdf", b"%PDF-" + b"0" * (5 * 1024 * 1024), "trop lourd"),
])
def test_attachments_are_type_and_size_limited(client, citizen, org, name, content, message):
    response = file_access_request(client, citizen, [org],
                                   files=[SimpleUploadedFile(name, content)])
    assert response.status_code == 400 and message in response.content.decode()
    assert RightsRequest.objects.count() == 0 and Attachment.objects.count() == 0


def test_bad_answer_file_is_refused_and_nothing_changes(client, citizen, org, dpo):
    file_access_request(client, citizen, [org])
    part = RequestPart.objects.get()
    client.force_login(dpo)
    response = client.post(reverse("rights:backoffice_part", args=[org.slug, part.uid]), {
        "action": "complete", "c-answer": "Voici",
        "c-data_file": SimpleUploadedFile("x.json", b"\xff\xfe not json"),
    })
    assert response.status_code == 400
    part.refresh_from_db()
    assert part.status == "pending" and part.receipt is None


def test_requests_need_sign_in_and_an_organisation(client, citizen):
    assert client.get(reverse("rights:space")).status_code == 302
    assert client.get(reverse("rights:request_new")).status_code == 302
    response = file_access_request(client, citizen, [])
    assert response.status_code == 400
    assert RightsRequest.objects.count() == 0


def test_public_statistics_suppress_small_counts(client, citizen, org, dpo):
    for _ in range(6):
        file_access_request(client, citizen, [org])
    file_access_request(client, citizen, [org], kind="erasure")
    stats = selectors.public_statistics()
    kinds = {row["kind"]: row["count"] for row in stats["by_kind"]}
    assert kinds["access"] == 6 and kinds["erasure"] is None and stats["total"] == 7
    page = client.get(reverse("rights:statistics"))
    assert page.status_code == 200 and "&lt; 5" in page.content.decode()
    assert "habitant@" not in page.content.decode()


def test_access_log_is_append_only(citizen, org, dpo):
    entry = services.log_read(staff=dpo, organization=org, subject=citizen,
                              record_type="request_part", record_id="x")
    with pytest.raises(ValueError):
        entry.save()
    with pytest.raises(ValueError):
        entry.delete()
    assert AccessLogEntry.objects.count() == 1


def test_overdue_page_is_for_the_spld_team(client, citizen, org, spld_admin, dpo):
    file_access_request(client, citizen, [org])
    past = timezone.localdate() - timedelta(days=45)
    RequestPart.objects.update(received_on=past, due_on=past + timedelta(30))
    client.force_login(spld_admin)
    page = client.get(reverse("rights:overdue"))
    assert page.status_code == 200 and org.name in page.content.decode()
    assert "habitant@" not in page.content.decode()
    client.force_login(dpo)
    assert client.get(reverse("rights:overdue")).status_code == 403


def test_no_personal_data_in_application_logs(client, citizen, org, dpo, api_token,
                                              consent_payload, caplog):
    import logging

    with caplog.at_level(logging.DEBUG, logger="spld"):
        client.post("/api/1/consents", data=json.dumps(consent_payload()),
                    content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {api_token}")
        file_access_request(client, citizen, [org])
        part = RequestPart.objects.get()
        services.refuse_part(actor=dpo, part=part, reason="no_data", details="Rien à mon nom")
        services.flag_overdue()
        services.purge_expired()
        services.erase_my_data(actor=citizen, user=citizen)
    text = caplog.text
    for secret in (citizen.email, "Abonné n° 12345", "Rien à mon nom"):
        assert secret not in text
    assert "rights request filed" in text


def test_request_form_asks_for_the_commune_by_name(client, citizen, other_org):
    served = make_organization("commune-de-bohars", name="Commune de Bohars",
                               territory=["29011"])
    make_organization("commune-lointaine", name="Commune de Lointain", territory=["35238"])
    client.force_login(citizen)
    page = client.get(reverse("rights:request_new"))
    body = page.content.decode()
    assert page.status_code == 200 and "INSEE" not in body
    select = body[body.index('<select name="commune"'):]
    select = select[:select.index("</select>")]
    # Names are shown, codes are only the options' values.
    assert '<option value="29011">Bohars</option>' in select
    assert '<option value="29019">Brest</option>' in select
    assert '<option value="35238">Commune de Lointain</option>' in select
    assert select.index(">Bohars<") < select.index(">Brest<")
    step2 = client.get(reverse("rights:request_new") + "?kind=access&commune=29011")
    text = step2.content.decode()
    assert step2.status_code == 200 and "Votre commune : Bohars." in text
    proposed = text[text.index("<main"):text.index('<form method="post" enctype')]
    assert served.name in proposed and other_org.name not in proposed
    unknown = client.get(reverse("rights:request_new") + "?kind=access&commune=75056")
    assert unknown.status_code == 400
    assert "Choisissez votre commune dans la liste." in unknown.content.decode()
    assert not RightsRequest.objects.exists()
