"""Receipts a person can read: plain French first, one rendering for page and PDF, Paris time."""

from __future__ import annotations

import html
import json
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pypdfium2
import pytest
from django.urls import reverse
from django.utils import translation

from spld.rights import jws, services
from spld.rights.models import Receipt, RightsRequest
from tests.factories import make_user

pytestmark = pytest.mark.django_db

CODES = re.compile(r"dpv(-pd)?:|urn:uuid:|https://w3id\.org/dpv")


def post(client, token, body):
    return client.post("/api/1/consents", data=json.dumps(body), content_type="application/json",
                       HTTP_AUTHORIZATION=f"Bearer {token}")


def pdf_text(data: bytes) -> str:
    """The text of every page of a PDF, as a reader would copy it."""
    document = pypdfium2.PdfDocument(data)
    try:
        texts = []
        for page in document:
            textpage = page.get_textpage()
            texts.append(textpage.get_text_range())
            textpage.close()
            page.close()
        return "\n".join(texts)
    finally:
        document.close()


def page_text(content: bytes) -> str:
    """The visible text of an HTML page (tags dropped, entities decoded, spaces collapsed)."""
    body = content.decode()
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def flat(text: str) -> str:
    return " ".join(text.replace("\r", " ").replace("\n", " ").split())


def human_part(text: str) -> str:
    """What comes before the machine-readable section."""
    assert "Pour les spécialistes" in text
    return text.split("Pour les spécialistes")[0]


def test_consent_receipt_page_and_pdf_say_the_same_in_plain_french(client, api_token, citizen,
                                                                     consent_payload):
    assert post(client, api_token, consent_payload(
        data_categories=["dpv-pd:TelephoneNumber", "dpv-pd:EmailAddress"])).status_code == 201
    receipt = Receipt.objects.get(user=citizen)
    claims = jws.verify(receipt.jws)
    client.force_login(citizen)

    page = client.get(reverse("rights:receipt", args=[receipt.uid]))
    assert page.status_code == 200
    text = page_text(page.content)
    human = human_part(text)
    for words in ("Qui", "Quelles données", "Pour quoi", "Ce qui s’est passé", "Quand",
                  "Comment vérifier ce reçu", "CNIL", "https://www.cnil.fr/fr/plaintes",
                  "Numéro de téléphone", "Adresse électronique", "Eau du Ponant",
                  "Eau du Ponant a enregistré votre consentement",
                  "Assister et prévenir les usagers",
                  f"l’index {receipt.log_index}"):
        assert words in human, words
    assert not CODES.search(human), CODES.search(human)
    # The machine JSON and the signature are still there, below, folded.
    assert "<details" in page.content.decode() and receipt.jws in page.content.decode()
    assert "dpv-pd:TelephoneNumber" in text.split("Pour les spécialistes")[1]

    # One time, in Europe/Paris with its offset, on the page and in the PDF.
    issued = datetime.fromisoformat(claims["issuedAt"]).astimezone(ZoneInfo("Europe/Paris"))
    offset = issued.strftime("%z")
    shown = f"{issued:%H:%M} (heure de Paris, UTC{offset[:3]}:{offset[3:]})"
    assert shown in human

    response = client.get(reverse("rights:receipt_pdf", args=[receipt.uid]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text_pdf = flat(pdf_text(response.content))
    human_pdf = human_part(text_pdf)
    assert shown in human_pdf
    for words in ("Quelles données", "Numéro de téléphone", "Pour quoi", "Comment vérifier ce reçu",
                  "https://www.cnil.fr/fr/plaintes", "a enregistré votre consentement"):
        assert words in human_pdf, words
    assert not CODES.search(human_pdf), CODES.search(human_pdf)
    # The signed token is printed in full at the end (wrapped, not cut off the page).
    assert receipt.jws in text_pdf.replace(" ", "").replace("-\n", "")


def test_pdf_title_wraps_inside_the_page(client, api_token, citizen, consent_payload):
    long_purpose = ("Recevoir les alertes de coupure d’eau, les avis de travaux et les rappels de "
                    "relève de compteur par SMS et par courriel, quartier par quartier")
    assert post(client, api_token, consent_payload(purpose=long_purpose)).status_code == 201
    receipt = Receipt.objects.get(user=citizen)
    client.force_login(citizen)
    data = client.get(reverse("rights:receipt_pdf", args=[receipt.uid])).content
    document = pypdfium2.PdfDocument(data)
    try:
        page = document[0]
        width = page.get_width()
        textpage = page.get_textpage()
        # Every character of the first page, title included, lies inside the page's width.
        rights = [textpage.get_charbox(i)[2] for i in range(textpage.count_chars())]
        assert rights and max(rights) <= width
        assert "quartier par quartier" in flat(textpage.get_text_range())
        textpage.close()
        page.close()
    finally:
        document.close()


def test_request_and_erasure_receipts_read_in_plain_french(client, citizen, org, dpo):
    filed = services.file_request(actor=citizen, kind="access", details="Abonné n° 1",
                                  organizations=[org])
    part = filed.parts.get()
    services.refuse_part(actor=dpo, part=part, reason="no_data",
                         details="Nous ne détenons rien.")
    part.refresh_from_db()
    client.force_login(citizen)
    text = page_text(client.get(reverse("rights:receipt", args=[part.receipt.uid])).content)
    human = human_part(text)
    assert "L’organisation a refusé votre demande." in human
    assert "Aucune donnée vous concernant n’est traitée" in human
    assert "accès" in human and not CODES.search(human)
    text_pdf = human_part(flat(pdf_text(client.get(
        reverse("rights:receipt_pdf", args=[part.receipt.uid])).content)))
    assert "L’organisation a refusé votre demande." in text_pdf

    erased = services.erase_my_data(actor=citizen, user=citizen)
    assert not RightsRequest.objects.filter(user=citizen).exists()
    human = human_part(page_text(client.get(reverse("rights:receipt", args=[erased.uid])).content))
    assert "la clé qui les chiffrait a été détruite" in human
    assert "1 demande effacée" in human and not CODES.search(human)


def test_receipt_in_english_uses_the_english_month_and_the_same_offset(client, api_token,
                                                                       consent_payload):
    citizen = make_user("habitant@spld.example")
    assert post(client, api_token, consent_payload()).status_code == 201
    receipt = Receipt.objects.get(user=citizen)
    client.force_login(citizen)
    url = "/en" + reverse("rights:receipt", args=[receipt.uid])
    with translation.override("en"):  # the request activates English; restore French after
        page = client.get(url)
    assert page.status_code == 200
    text = page_text(page.content)
    assert re.search(r"\d{1,2} [A-Z][a-z]+ \d{4} at \d\d:\d\d \(Paris time, UTC\+0[12]:00\)", text)
    assert "What this receipt says" in text and "What happened" in text

