"""Exchange formats: the CNIL model register (CSV) and the Eurocities algorithm standard (JSON)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import uuid
import zipfile
from collections.abc import Iterable
from typing import Any
from xml.sax.saxutils import escape

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from spld.registers import vocab
from spld.registers.models import Algorithm, ProcessingActivity

# Column headings of the CNIL's model record of processing activities ("modèle de registre").
CNIL_COLUMNS = [
    "Nom / sigle du traitement", "N° / REF", "Date de création", "Mise à jour",
    "Responsable du traitement", "Délégué à la protection des données",
    "Responsable(s) conjoint(s)", "Finalité principale", "Sous-finalités",
    "Base légale", "Texte de référence",
    "Catégories de données personnelles", "Données sensibles",
    "Catégories de personnes concernées", "Destinataires internes ou partenaires",
    "Destinataires externes", "Sous-traitants", "Transferts hors UE : pays",
    "Transferts hors UE : garanties", "Durées de conservation",
    "Mesures de sécurité techniques et organisationnelles", "AIPD requise", "Motif AIPD",
    "Statut", "Date de début",
]


def cnil_rows(activities: Iterable[ProcessingActivity], *,
              include_internal: bool) -> list[list[str]]:
    """Header and one row per processing activity, in the CNIL model-register layout."""
    rows = [list(CNIL_COLUMNS)]
    for a in activities:
        purposes = [vocab.label(p) for p in a.purposes]
        rows.append([
            a.name, str(a.uid), a.created_at.date().isoformat(), a.updated_at.date().isoformat(),
            a.organization.name, a.organization.dpo_contact,
            ", ".join(o.name for o in a.joint_controllers.all()),
            purposes[0] if purposes else "", " | ".join(purposes[1:] + (
                [a.purpose_detail] if a.purpose_detail else [])),
            vocab.LEGAL_BASES.get(a.legal_basis, {}).get("label_fr", a.legal_basis),
            a.legal_text,
            " | ".join(vocab.label(c) for c in a.data_categories),
            "oui" if a.has_special_categories else "non",
            " | ".join(a.data_subjects),
            ", ".join(o.name for o in a.recipient_organizations.all()),
            a.other_recipients, a.processors,
            " | ".join(t["country"] for t in a.transfers),
            " | ".join(t["safeguard"] for t in a.transfers),
            a.retention,
            a.security_measures if include_internal else _("(interne, communiqué sur demande "
                                                           "de la CNIL)"),
            "oui" if a.dpia_required else "non", a.dpia_reason,
            str(a.get_status_display()), a.start_date.isoformat() if a.start_date else "",
        ])
    return rows


def cnil_csv(activities: Iterable[ProcessingActivity], *, include_internal: bool) -> str:
    """CSV (semicolon, as French spreadsheets expect) in the CNIL model-register layout."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerows(cnil_rows(activities, include_internal=include_internal))
    return buffer.getvalue()


_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
    'manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:version="1.2" '
    'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>"
)


def cnil_ods(activities: Iterable[ProcessingActivity], *, include_internal: bool) -> bytes:
    """The same table as an OpenDocument spreadsheet (one sheet « Registre »)."""
    cells = "".join(
        "<table:table-row>" + "".join(
            f'<table:table-cell office:value-type="string"><text:p>{escape(value)}</text:p>'
            "</table:table-cell>" for value in row) + "</table:table-row>"
        for row in cnil_rows(activities, include_internal=include_internal))
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="Registre">'
        f"{cells}</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        # The mimetype entry comes first and uncompressed, as ODF requires.
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet",
                         compress_type=zipfile.ZIP_STORED)
        archive.writestr("META-INF/manifest.xml", _MANIFEST, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


# --- Eurocities Algorithmic Transparency Standard 0.3.1 ------------------------------------

STATUS_OUT = {"planned": "planned", "in_use": "operational", "retired": "retired"}
STATUS_IN = {"planned": "planned", "design": "planned", "development": "planned",
             "pilot": "in_use", "evaluation": "in_use", "operational": "in_use",
             "retired": "retired"}
METHOD_OUT = {"rules": "rule-based", "statistics": "hybrid", "machine_learning": "self-learning"}
METHOD_IN = {"rule-based": "rules", "hybrid": "statistics", "self-learning": "machine_learning"}
# Attribute ↔ model field, when the standard has a direct equivalent.
DIRECT = {
    "name": "name", "description_short": "description_short", "department": "department",
    "contact_email": "contact_email", "decision_making_process": "automation_level",
    "goal": "purpose", "impact": "people_affected", "risks": "risks",
    "lawful_basis": "legal_basis", "documentation": "documentation_url",
    "source_data": "data_sources", "description": "description",
    "methods_and_models": "operations", "performance": "performance",
    "codebase_url": "code_url", "monitoring": "monitoring",
    "human_intervention": "human_oversight", "objection_procedure": "redress",
    "data_bias": "mitigations",
}
PROPERTIES = {p["attribute"]: p for p in vocab.EUROCITIES["properties"]}
# Required attributes with no column of their own: the register form asks for them and keeps
# them in `extra` (area, domain, risk_category, proportionality, training_data…).
ASKED = ("area", "domain", "risk_category", "proportionality", "training_data",
         "connected_data_sources", "type")
# Metadata of the registration kept as imported, so that a re-export gives it back.
METADATA = ("lang", "publication_date", "last_change_date")
URL_PATTERN = re.compile(r"^https?://\S+$")


def eurocities_export(algorithm: Algorithm) -> dict[str, Any]:
    """The algorithm as a registration in the Eurocities standard's JSON.

    Optional attributes without a value are left out (the schema wants a URL or a listed
    value, never ""); a registration never edited since its import keeps its imported
    metadata, so that export → import → export gives the same document.
    """
    extra = dict(algorithm.extra)
    untouched = algorithm.version <= 1
    absent = set(extra.get("_absent", [])) if untouched else set()
    doc: dict[str, Any] = {attr: extra.get(attr, "") for attr in PROPERTIES}
    for attr, field in DIRECT.items():
        doc[attr] = getattr(algorithm, field) or ""
    revisions = list(algorithm.revisions.order_by("version"))
    first = revisions[0].created_at if revisions else algorithm.created_at
    doc.update({
        "organization": algorithm.organization.name,
        "status": extra.get("status") if STATUS_IN.get(extra.get("status", "")) ==
        algorithm.status else STATUS_OUT[algorithm.status],
        "algorithm_type": METHOD_OUT[algorithm.method],
        "standard_version": vocab.EUROCITIES["version"],
        "uuid": extra.get("source_uuid") or str(algorithm.uid),
        # This register is the public web page of the registration.
        "website": extra.get("website")
        or settings.SITE_URL.rstrip("/") + algorithm.get_absolute_url(),
        "lang": extra.get("lang") or "fr",
        "publication_date": extra.get("publication_date") or first.date().isoformat(),
        "last_change_date": (untouched and extra.get("last_change_date"))
        or algorithm.updated_at.date().isoformat(),
        "revision_date": extra.get("revision_date") or algorithm.updated_at.date().isoformat(),
        "revision_note": revisions[-1].note if revisions else "",
    })
    if algorithm.impact_assessment_id and not doc.get("DPIA_description"):
        doc["DPIA_description"] = algorithm.impact_assessment.title
    return {attr: value for attr, value in doc.items()
            if attr not in absent and (PROPERTIES[attr]["required"] or value not in ("", None))}


def _check(attr: str, prop: dict[str, Any], value: Any) -> str | None:
    """The problem with one attribute's value, or None."""
    if prop["required"] and attr not in ("organization", "uuid", "standard_version",
                                         "lang", "publication_date", "last_change_date",
                                         "revision_date") and not value:
        return _("Attribut obligatoire du standard Eurocities.")
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        return _("Texte attendu.")
    if "enum" in prop and value not in prop["enum"]:
        return _("Valeur hors liste : {v}.").format(v=", ".join(prop["enum"]))
    if prop["type"] == "const" and value != prop["const"]:
        return _("Valeur attendue : {v}.").format(v=prop["const"])
    if prop["type"] == "url" and not URL_PATTERN.match(value):
        return _("Adresse web attendue (http:// ou https://).")
    if prop["type"] == "email" and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
        return _("Adresse électronique attendue.")
    if prop["type"] == "date":
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            return _("Date attendue (AAAA-MM-JJ).")
    return None


def eurocities_import(document: Any) -> dict[str, Any]:
    """Model fields from a Eurocities registration; ValidationError lists every problem."""
    if not isinstance(document, dict):
        raise ValidationError(_("Un objet JSON au format du standard Eurocities est attendu."))
    errors: dict[str, str] = {}
    for attr, prop in PROPERTIES.items():
        problem = _check(attr, prop, document.get(attr))
        if problem:
            errors[attr] = problem
    if len(str(document.get("description_short") or "")) > 150:
        errors["description_short"] = _("150 caractères au plus.")
    unknown = set(document) - set(PROPERTIES)
    if unknown:
        errors["__all__"] = _("Attributs inconnus : {a}.").format(a=", ".join(sorted(unknown)))
    if errors:
        raise ValidationError(errors)
    fields: dict[str, Any] = {field: document.get(attr) or "" for attr, field in DIRECT.items()}
    fields["status"] = STATUS_IN[document["status"]]
    fields["method"] = METHOD_IN[document["algorithm_type"]]
    # The standard does not say whether the algorithm decides; "recommends" is the safe reading.
    fields["decision_role"] = Algorithm.Role.RECOMMENDS
    # Optional in the standard, required here: filled in, and remembered as absent so that
    # a re-export leaves them out again.
    absent = [attr for attr in ("data_bias", "methods_and_models", "revision_note")
              if not document.get(attr)]
    fields["mitigations"] = fields["mitigations"] or _("Non renseigné dans la fiche importée.")
    fields["operations"] = fields["operations"] or fields["description"]
    keep: dict[str, Any] = {attr: document[attr] for attr in PROPERTIES
                            if attr not in DIRECT and document.get(attr) and attr not in (
                                "organization", "algorithm_type", "standard_version",
                                "revision_note")}
    if absent:
        keep["_absent"] = absent
    if document.get("uuid"):
        try:
            keep["source_uuid"] = str(uuid.UUID(str(document["uuid"])))
        except ValueError:
            raise ValidationError({"uuid": _("UUID invalide.")}) from None
        keep.pop("uuid", None)
    fields["extra"] = keep
    fields["note"] = document.get("revision_note") or _("Import d’une fiche Eurocities.")
    return fields
