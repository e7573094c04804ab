"""Access answers packaged for the citizen: JSON + CSV + a readable summary, in a ZIP."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from typing import Any

from django.conf import settings
from django.core import signing

from spld.rights import vault
from spld.rights.models import RightsRequest

SALT = "spld.rights.package"


def make_token(request: RightsRequest) -> str:
    """A signed token naming the request and its owner (checked with an expiry)."""
    return signing.TimestampSigner(salt=SALT).sign_object(
        {"r": str(request.uid), "u": request.user_id})


def read_token(token: str) -> dict[str, Any]:
    """The token's content; raises signing.BadSignature / SignatureExpired."""
    return signing.TimestampSigner(salt=SALT).unsign_object(
        token, max_age=settings.RIGHTS_PACKAGE_LINK_SECONDS)


def _csv(rows: list[dict[str, Any]]) -> str:
    columns: list[str] = []
    for row in rows:
        columns.extend(k for k in row if k not in columns)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("" if v is None else v if not isinstance(v, dict | list)
                             else json.dumps(v, ensure_ascii=False)) for k, v in row.items()})
    return out.getvalue()


def build(request: RightsRequest) -> bytes:
    """The ZIP of every answered part: one folder per organisation."""
    buffer = io.BytesIO()
    summary = [f"Demande d’{request.get_kind_display()} déposée le "
               f"{request.received_on:%d/%m/%Y} sur {settings.SITE_NAME}.", ""]
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for part in request.parts.select_related("organization", "receipt"):
            org = part.organization
            summary.append(f"== {org.name} : {part.get_status_display()}")
            if part.answered_at is None:
                summary += ["Pas encore de réponse.", ""]
                continue
            answer = vault.open_text(part.answer_sealed, context="part.answer")
            rows: list[dict[str, Any]] = []
            if part.data_sealed:
                rows = json.loads(vault.open_text(part.data_sealed, context="part.data"))
            summary += [f"Réponse du {part.answered_at:%d/%m/%Y} : {answer}",
                        (f"{len(rows)} enregistrement de données." if len(rows) <= 1
                         else f"{len(rows)} enregistrements de données."), ""]
            archive.writestr(f"{org.slug}/donnees.json",
                             json.dumps(rows, ensure_ascii=False, indent=2))
            archive.writestr(f"{org.slug}/donnees.csv", _csv(rows))
            archive.writestr(f"{org.slug}/reponse.txt", answer + "\n")
            if part.receipt:
                archive.writestr(f"{org.slug}/recu.jws", part.receipt.jws)
        archive.writestr("LISEZ-MOI.txt", "\n".join(summary) + "\n")
    return buffer.getvalue()
