"""Reading an export of the CNIL PIA tool into a publishable DPIA summary."""

from __future__ import annotations

import html
import re
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

# Question ids of the PIA tool (sections 1 context, 2 fundamental principles, 3 risks).
CONTEXT_QUESTIONS = (111, 112, 113, 121, 122, 123)
NECESSITY_QUESTIONS = (211, 212, 213, 214, 215, 221, 222, 223, 224, 225, 226, 227)
# Risk blocks: impacts, threats, sources, measures, severity (gauge), likelihood (gauge).
RISKS = {
    "illegitimate_access": (_l("Accès illégitime à des données"), 321),
    "unwanted_modification": (_l("Modification non désirée de données"), 331),
    "disappearance": (_l("Disparition de données"), 341),
}
LEVELS = {1: "négligeable", 2: "limitée", 3: "importante", 4: "maximale"}
_TAG = re.compile(r"<[^>]+>")


class PiaFormatError(ValueError):
    """The file is not an export of the CNIL PIA tool."""


def _text(value: Any) -> str:
    """Plain text from the tool's HTML answers (tags dropped, entities decoded)."""
    if not value:
        return ""
    text = re.sub(r"<\s*(br|/p|/li)\s*/?>", "\n", str(value), flags=re.I)
    text = html.unescape(_TAG.sub("", text))
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def parse(document: Any) -> dict[str, Any]:
    """Summary fields from a PIA-tool JSON document; raise PiaFormatError when it is not one."""
    if not isinstance(document, dict):
        raise PiaFormatError(_("Le fichier n’est pas un objet JSON."))
    missing = [k for k in ("pia", "answers", "measures", "evaluations") if k not in document]
    if missing:
        raise PiaFormatError(_(
            "Ce fichier n’est pas un export de l’outil PIA de la CNIL : clés absentes : {k}."
        ).format(k=", ".join(missing)))
    pia = document["pia"]
    if not isinstance(pia, dict) or not str(pia.get("name", "")).strip():
        raise PiaFormatError(_("Export PIA invalide : « pia.name » est absent."))
    for key in ("answers", "measures", "evaluations"):
        if not isinstance(document[key], list) or not all(isinstance(x, dict)
                                                           for x in document[key]):
            raise PiaFormatError(_("Export PIA invalide : « {k} » doit être une liste d’objets."
                                   ).format(k=key))
    answers: dict[int, dict[str, Any]] = {}
    for answer in document["answers"]:
        try:
            answers[int(answer["reference_to"])] = answer.get("data") or {}
        except (KeyError, TypeError, ValueError) as exc:
            raise PiaFormatError(_("Export PIA invalide : réponse sans « reference_to »."
                                   )) from exc

    def joined(ids: tuple[int, ...]) -> str:
        return "\n\n".join(t for t in (_text(answers.get(i, {}).get("text")) for i in ids) if t)

    risks = []
    for key, (label, base) in RISKS.items():
        block = {i: answers.get(base + i, {}) for i in range(6)}
        severity = block[4].get("gauge") or None
        likelihood = block[5].get("gauge") or None
        if not any(block.values()):
            continue
        risks.append({
            "key": key, "name": str(label),
            "impacts": [str(x) for x in block[0].get("list") or []],
            "threats": [str(x) for x in block[1].get("list") or []],
            "sources": [str(x) for x in block[2].get("list") or []],
            "severity": severity, "severity_label": LEVELS.get(severity or 0, ""),
            "likelihood": likelihood, "likelihood_label": LEVELS.get(likelihood or 0, ""),
        })
    measures = [{"title": str(m.get("title") or ""), "content": _text(m.get("content"))}
                for m in document["measures"] if m.get("title")]
    opinion = {0: "", 1: _("favorable"), 2: _("défavorable")}
    dpo_status = opinion.get(pia.get("dpo_status") or 0, "")
    people_status = opinion.get(pia.get("concerned_people_status") or 0, "")
    status = int(pia.get("status") or 0)
    decision = {
        2: _("Analyse validée avec un plan d’action."),
        3: _("Analyse validée."),
        4: _("Analyse archivée."),
    }.get(status, _("Analyse en cours de rédaction."))
    return {
        "title": str(pia["name"])[:250],
        "context": joined(CONTEXT_QUESTIONS),
        "necessity": joined(NECESSITY_QUESTIONS),
        "risks": risks,
        "measures": measures,
        "dpo_opinion": " ".join(x for x in (
            _("Avis {s}.").format(s=dpo_status) if dpo_status else "",
            _text(pia.get("dpo_opinion"))) if x),
        "data_subjects_opinion": " ".join(x for x in (
            _("Avis {s}.").format(s=people_status) if people_status else "",
            _text(pia.get("concerned_people_opinion"))) if x),
        "decision": decision,
    }
