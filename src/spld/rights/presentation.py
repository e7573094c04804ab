"""What a person reads: vocabulary labels, Paris times, and the receipt rendered as page or PDF."""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from spld.rights.models import ConsentEvent, Receipt, RequestPart, RightsRequest

PARIS = ZoneInfo("Europe/Paris")
CNIL_COMPLAINT_URL = "https://www.cnil.fr/fr/plaintes"

# Compact names (CURIEs) the rights app uses for W3C DPV terms, and the IRIs they stand for.
_PREFIXES = {
    "dpv:": "https://w3id.org/dpv#",
    "dpv-pd:": "https://w3id.org/dpv/pd#",
    "pd:": "https://w3id.org/dpv/pd#",
    "eu-gdpr:": "https://w3id.org/dpv/legal/eu/gdpr#",
}


def term_label(code: str) -> str:
    """The label of a DPV term (CURIE or IRI) in the current language; never the bare code."""
    from spld.registers import vocab  # the vocabularies ship with the registers app

    iri = code
    for prefix, base in _PREFIXES.items():
        if code.startswith(prefix):
            iri = base + code[len(prefix):]
            break
    found = vocab.label(iri)
    if found != iri:
        return found
    # A term outside the shipped subset: its local name in words, without prefix or IRI.
    local = iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1].rsplit(":", 1)[-1]
    words = "".join(f" {c}" if c.isupper() else c for c in local).strip()
    return words[:1].upper() + words[1:].lower() if words else code


def terms_label(codes: list[str] | tuple[str, ...]) -> str:
    """Labels of several terms, joined for a sentence."""
    return ", ".join(term_label(c) for c in codes)


def paris_time(value: datetime | str) -> str:
    """A moment in Europe/Paris with its offset: « 4 décembre 2026 à 19:53 (…, UTC+01:00) »."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    local = moment.astimezone(PARIS)
    offset = local.strftime("%z")
    return _("{date} à {time} (heure de Paris, UTC{offset})").format(
        date=date_format(local, "j F Y"), time=local.strftime("%H:%M"),
        offset=f"{offset[:3]}:{offset[3:]}")


def record_type_label(record_type: str) -> str:
    """What a staff member read, in words (the access log stores a short code)."""
    labels = {"request_part": _("votre demande d’exercice de droits"),
              "attachment": _("une pièce jointe à votre demande")}
    return labels.get(record_type, _("un dossier vous concernant"))


# ------------------------------------------------------------------ receipts


def _controller(claims: dict[str, Any]) -> str:
    controllers = claims.get("piiControllers") or [{}]
    first = controllers[0]
    name = first.get("piiController") or settings.SITE_NAME
    if first.get("piiControllerId"):
        name = _("{name} (SIREN {siren})").format(name=name, siren=first["piiControllerId"])
    if first.get("contact"):
        name = _("{name} — délégué à la protection des données : {contact}").format(
            name=name, contact=first["contact"])
    return name


def _event_sentence(kind: str, by: str, organization: str) -> str:
    sentences = {
        ("given", "citizen"): _("Vous avez donné votre consentement."),
        ("given", "organization"): _("{organization} a enregistré votre consentement.").format(
            organization=organization),
        ("renewed", ""): _("Votre consentement a été renouvelé."),
        ("withdrawn", ""): _("Vous avez retiré votre consentement."),
        ("expired", ""): _("Votre consentement a expiré : il n’est plus valable."),
        ("refused", ""): _("Vous avez refusé de donner votre consentement."),
    }
    return sentences.get((kind, by)) or sentences.get((kind, "")) or sentences[
        ("given", "citizen")]


def _consent_facts(claims: dict[str, Any]) -> tuple[str, list[tuple[str, str]]]:
    record = claims.get("record", {})
    event = record.get("event", {})
    purpose = (claims.get("services") or [{}])[0].get("purposes", [{}])[0]
    kind = event.get("kind", "given")
    by = event.get("by", "")
    organization = (claims.get("piiControllers") or [{}])[0].get("piiController", "")
    why = record.get("purpose") or purpose.get("purpose", "")
    if record.get("purpose_dpv"):
        why = _("{purpose} (catégorie : {label})").format(
            purpose=why, label=term_label(record["purpose_dpv"]))
    facts = [
        (_("Qui"), _controller(claims)),
        (_("Quelles données"), terms_label(record.get("personal_data", []))),
        (_("Pour quoi"), why),
        (_("Traitement"), (claims.get("services") or [{}])[0].get("service", "")),
        (_("Ce qui s’est passé"), _event_sentence(kind, by, organization)),
        (_("Quand"), paris_time(event.get("timestamp") or claims["issuedAt"])),
        (_("Conservation"), record.get("storage_duration", "")),
        (_("Destinataires"), ", ".join(record.get("recipients", []))
         or _("aucun autre destinataire")),
    ]
    if record.get("withdrawal_method"):
        facts.append((_("Pour retirer votre consentement"), record["withdrawal_method"]))
    label = dict(ConsentEvent.Kind.choices).get(kind, kind)
    title = _("Consentement {kind} — {organization} — {purpose}").format(
        kind=label, organization=organization, purpose=record.get("purpose", ""))
    return title, facts


def _request_facts(claims: dict[str, Any]) -> tuple[str, list[tuple[str, str]]]:
    request = claims.get("request", {})
    right = str(dict(RightsRequest.Kind.choices).get(request.get("right", ""), ""))
    status = request.get("outcome", "")
    organization = (claims.get("piiControllers") or [{}])[0].get("piiController", "")
    outcomes = {
        "done": _("L’organisation a traité votre demande."),
        "refused": _("L’organisation a refusé votre demande."),
        "extended": _("L’organisation a prolongé le délai de réponse."),
        "cancelled": _("La demande a été annulée."),
        "pending": _("La demande est en cours de traitement."),
    }
    happened = outcomes.get(status, "")
    if request.get("on_time") is True:
        happened += " " + _("La réponse est arrivée dans le délai légal.")
    elif request.get("on_time") is False:
        happened += " " + _("La réponse est arrivée après le délai légal.")
    facts = [
        (_("Qui"), _controller(claims)),
        (_("Droit exercé"), right),
        (_("Quelles données"), _("les données personnelles vous concernant que détient "
                                 "cette organisation")),
        (_("Ce qui s’est passé"), happened.strip()),
        (_("Quand"), paris_time(request.get("answered_at") or claims["issuedAt"])),
        (_("Demande reçue le"), date_format(datetime.fromisoformat(request["received_on"]),
                                            "j F Y") if request.get("received_on") else ""),
        (_("Réponse due au plus tard le"), date_format(
            datetime.fromisoformat(request["due_on"]), "j F Y") if request.get("due_on")
         else ""),
    ]
    if request.get("refusal_reason"):
        from spld.rights.services import REFUSAL_REASONS

        facts.append((_("Motif du refus"), str(REFUSAL_REASONS.get(
            request["refusal_reason"], request["refusal_reason"]))))
    title = _("Réponse à votre demande — {organization} — {status}").format(
        organization=organization,
        status=dict(RequestPart.Status.choices).get(status, status))
    return title, facts


def _deleted_sentence(deleted: dict[str, int]) -> str:
    sentences = {
        "consents_withdrawn": lambda n: ngettext(
            "{n} consentement retiré", "{n} consentements retirés", n),
        "consent_records": lambda n: ngettext(
            "{n} consentement effacé", "{n} consentements effacés", n),
        "rights_requests": lambda n: ngettext(
            "{n} demande effacée", "{n} demandes effacées", n),
        "attachments": lambda n: ngettext(
            "{n} pièce jointe effacée", "{n} pièces jointes effacées", n),
        "receipts": lambda n: ngettext("{n} reçu effacé", "{n} reçus effacés", n),
        "encryption_keys": lambda n: ngettext(
            "{n} clé de chiffrement détruite", "{n} clés de chiffrement détruites", n),
    }
    parts = [sentences[k](int(v)).format(n=int(v)) for k, v in deleted.items() if k in sentences]
    return ", ".join(parts) + "." if parts else ""


def _erasure_facts(claims: dict[str, Any]) -> tuple[str, list[tuple[str, str]]]:
    erasure = claims.get("erasure", {})
    facts = [
        (_("Qui"), _controller(claims)),
        (_("Quelles données"), _("tout ce que cet espace conservait sur vous : consentements, "
                                 "demandes, pièces jointes et reçus")),
        (_("Ce qui s’est passé"), _("Vos données ont été effacées : la clé qui les chiffrait a "
                                    "été détruite, elles sont illisibles pour tous.") + " "
         + _deleted_sentence(erasure.get("deleted", {}))),
        (_("Quand"), paris_time(erasure.get("erased_at") or claims["issuedAt"])),
    ]
    return _("Effacement de mes données"), facts


def receipt_context(receipt: Receipt, claims: dict[str, Any]) -> dict[str, Any]:
    """Context shared by the receipt page and its PDF: same words, same times."""
    builders = {Receipt.Kind.CONSENT: _consent_facts, Receipt.Kind.REQUEST: _request_facts,
                Receipt.Kind.ERASURE: _erasure_facts}
    title, facts = builders.get(receipt.kind, _erasure_facts)(claims)
    base = settings.SITE_URL.rstrip("/")
    return {
        "receipt": receipt, "claims": claims, "title": title,
        "facts": [(label, value) for label, value in facts if value],
        "issued_at": paris_time(claims["issuedAt"]),
        "verify_url": base + reverse("rights:verify"),
        "jwks_url": base + "/.well-known/jwks.json",
        "cnil_url": CNIL_COMPLAINT_URL,
        "claims_json": json.dumps(claims, ensure_ascii=False, indent=2),
    }


def receipt_pdf(context: dict[str, Any]) -> bytes:
    """The receipt as a PDF (WeasyPrint, as the annual report), from the page's context."""
    from weasyprint import HTML

    # WeasyPrint logs every layout step at INFO; only its warnings matter here.
    for name in ("weasyprint", "weasyprint.progress"):
        logging.getLogger(name).setLevel(logging.WARNING)
    html = render_to_string("rights/receipt_pdf.html", {**context, "for_pdf": True})
    return bytes(HTML(string=html).write_pdf())

