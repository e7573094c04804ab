"""Reads of the transparency log: entries, proofs, journal sentences, witnesses."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from spld.ledger import log, merkle
from spld.ledger.models import Checkpoint, Cosignature, LogEntry, Witness


class BadRequest(ValueError):
    """A proof or entry request with values outside the tree (the message says which)."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


def parse_count(value: Any, field: str) -> int:
    """Parse a non-negative integer query value or raise BadRequest naming the field."""
    text = str(value).strip() if value is not None else ""
    if not text.isdigit() or not text.isascii() or len(text) > 18:
        raise BadRequest(
            _("« %(field)s » doit être un entier positif ou nul.") % {"field": field}, field
        )
    return int(text)


_SIGNED_NOTE_AT = """
SELECT c.text, c.signature, co.line FROM ledger_checkpoint c
LEFT JOIN ledger_cosignature co ON co.checkpoint_id = c.id
LEFT JOIN ledger_witness w ON w.id = co.witness_id
WHERE c.size = %s ORDER BY w.name
"""


def tree_size() -> int:
    """How many entries the log holds."""
    from spld.ledger.models import LogState

    size = LogState.objects.filter(id=1).values_list("size", flat=True).first()
    return int(size or 0)


def signed_note_at(size: int) -> str | None:
    """The served checkpoint note (with cosignatures) of tree size `size`, in one query."""
    with connection.cursor() as cursor:
        cursor.execute(_SIGNED_NOTE_AT, [size])
        rows = cursor.fetchall()
    if not rows:
        return None
    text, signature = rows[0][0], rows[0][1]
    return text + "\n" + signature + "".join(line for _t, _s, line in rows if line)


def _size_or_checkpoint(size: int | None, field: str = "size") -> tuple[int, str | None]:
    """The tree size to prove against and its signed checkpoint note, if there is one."""
    if size is None:
        checkpoint = log.latest_checkpoint()
        if checkpoint is None:
            return log.current_size(), None
        return checkpoint.size, signed_note_at(checkpoint.size)
    # A signed size is always within the tree: no need to read the tree size then.
    signed = signed_note_at(size)
    if signed is not None:
        return size, signed
    current = log.current_size()
    if size > current:
        raise BadRequest(
            _("La taille %(size)s dépasse celle de l’arbre (%(current)s entrées).")
            % {"size": size, "current": current},
            field,
        )
    return size, None


def inclusion(index: int, size: int | None) -> dict[str, Any]:
    """Inclusion proof of entry `index` in the tree of `size` (default: latest checkpoint)."""
    size, checkpoint = _size_or_checkpoint(size)
    if index >= size:
        raise BadRequest(
            _("L’entrée %(index)s n’existe pas dans un arbre de %(size)s entrées.")
            % {"index": index, "size": size},
            "index",
        )
    proof, (root,) = log.proof_and_roots(merkle.inclusion_proof_nodes(index, size), [size])
    return {
        "index": index,
        "size": size,
        "proof": [log.b64(h) for h in proof],
        "root_hash": log.b64(root),
        "checkpoint": checkpoint,
    }


def consistency(first: int, second: int | None) -> dict[str, Any]:
    """Consistency proof from tree size `first` to `second` (default: latest checkpoint)."""
    second, checkpoint = _size_or_checkpoint(second, "second")
    if first > second:
        raise BadRequest(
            _("« first » (%(first)s) doit être inférieur ou égal à « second » (%(second)s).")
            % {"first": first, "second": second},
            "first",
        )
    if first == 0:
        raise BadRequest(
            _("« first » doit valoir au moins 1 : tout arbre prolonge l’arbre vide."), "first"
        )
    nodes = merkle.consistency_proof_nodes(first, second) if first < second else []
    proof, (root1, root2) = log.proof_and_roots(nodes, [first, second])
    return {
        "first": first,
        "second": second,
        "proof": [log.b64(h) for h in proof],
        "first_root_hash": log.b64(root1),
        "second_root_hash": log.b64(root2),
        "checkpoint": checkpoint,
    }


def entry(index: int) -> LogEntry | None:
    """One entry by index."""
    return LogEntry.objects.filter(index=index).first()


def entry_json(e: LogEntry) -> dict[str, Any]:
    """The API shape of an entry: exact leaf bytes, leaf hash and payload."""
    return {
        "index": e.index,
        "leaf": log.b64(e.leaf),
        "leaf_hash": log.b64(e.leaf_hash),
        "payload": json.loads(bytes(e.payload)),
    }


def entries_range(start: int, limit: int) -> list[LogEntry]:
    """Entries start .. start+limit-1 in index order."""
    return list(
        LogEntry.objects.filter(index__gte=start, index__lt=start + limit).order_by("index")
    )


def checkpoint_note(checkpoint: Checkpoint) -> str:
    """The checkpoint as served: text, blank line, log signature, then cosignatures."""
    lines = [c.line for c in checkpoint.cosignatures.all().order_by("witness__name")]
    return checkpoint.note + "".join(lines)


def latest_subject_entry(subject: Any) -> int | None:
    """Index of the latest log entry about a public record (one indexed query)."""
    public_type = getattr(subject, "public_type", "")
    if not public_type or getattr(subject, "pk", None) is None:
        return None
    return (
        LogEntry.objects.filter(subject_type=public_type, subject_id=str(subject.public_id()))
        .order_by("-index")
        .values_list("index", flat=True)
        .first()
    )


# --- The journal in plain French ---------------------------------------------------------

# Types other apps are expected to log; an unknown type is shown by its code.
TYPE_LABELS = {
    "organization": gettext_lazy("l’organisation"),
    "dataset": gettext_lazy("le jeu de données"),
    "resource": gettext_lazy("la ressource"),
    "dataset_version": gettext_lazy("la version du jeu de données"),
    "processing_activity": gettext_lazy("le traitement"),
    "data_flow": gettext_lazy("le partage de données"),
    "usage": gettext_lazy("l’usage"),
    "algorithm": gettext_lazy("l’algorithme"),
    "impact_assessment": gettext_lazy("l’analyse d’impact"),
    "charter_version": gettext_lazy("la version de la charte"),
    "signatory": gettext_lazy("l’adhésion à la charte"),
    "membership": gettext_lazy("l’adhésion à la charte"),
    "evaluation": gettext_lazy("l’évaluation"),
    "alert": gettext_lazy("l’alerte"),
    "exclusion": gettext_lazy("l’exclusion"),
    "opinion": gettext_lazy("l’avis du comité"),
    "annual_report": gettext_lazy("le rapport annuel"),
    "receipt": gettext_lazy("l’accusé de réception"),
    "witness": gettext_lazy("le témoin"),
    "rights-receipt": gettext_lazy("l’accusé de réception"),
    "charter_membership": gettext_lazy("l’adhésion à la charte"),
    "charter_membership_event": gettext_lazy("une étape de l’adhésion à la charte"),
    "charter_capacity_decision": gettext_lazy("la décision sur la démonstration de capacité"),
    "charter_evaluation": gettext_lazy("l’évaluation"),
    "charter_alert": gettext_lazy("l’alerte"),
    "charter_exclusion": gettext_lazy("l’exclusion"),
    "charter_committee_member": gettext_lazy("la nomination au comité d’éthique"),
    "charter_committee_meeting": gettext_lazy("la séance du comité d’éthique"),
    "charter_opinion": gettext_lazy("l’avis du comité d’éthique"),
    "charter_annual_report": gettext_lazy("le rapport annuel"),
}
ACTION_VERBS = {
    "created": gettext_lazy("a créé"),
    "registered": gettext_lazy("a enregistré"),
    "published": gettext_lazy("a publié"),
    "updated": gettext_lazy("a modifié"),
    "unpublished": gettext_lazy("a retiré"),
    "deleted": gettext_lazy("a supprimé"),
    "archived": gettext_lazy("a archivé"),
    "signed": gettext_lazy("a signé"),
    "submitted": gettext_lazy("a déposé"),
    "raised": gettext_lazy("a émis"),
    "closed": gettext_lazy("a clos"),
    "excluded": gettext_lazy("a prononcé"),
    "deactivated": gettext_lazy("a désactivé"),
    "applied": gettext_lazy("a déposé"),
    "adopted": gettext_lazy("a adopté"),
    "withdrawn": gettext_lazy("a retiré"),
    "version_published": gettext_lazy("a publié une nouvelle version de"),
    "version_reformatted": gettext_lazy("a réécrit au format actuel le fichier de"),
    "status_changed": gettext_lazy("a changé le statut de"),
    "scheduled": gettext_lazy("a programmé"),
    "remedied": gettext_lazy("a levé"),
    "minutes_published": gettext_lazy("a publié le compte rendu de"),
    "indicators_recorded": gettext_lazy("a enregistré les indicateurs de"),
    "escalated": gettext_lazy("a aggravé"),
    "decided": gettext_lazy("a rendu"),
    "closed_by_exclusion": gettext_lazy("a clos par une exclusion"),
    "appointed": gettext_lazy("a enregistré"),
    "answered": gettext_lazy("a répondu à"),
    "backdated": gettext_lazy("a antidaté (démonstration)"),
}


@dataclass(frozen=True)
class JournalLine:
    """One entry as a sentence for the public journal."""

    index: int
    who: str
    verb: str
    what: str
    title: str
    at: datetime
    subject_type: str
    action: str


def _title(payload: dict[str, Any], fallback: str) -> str:
    for key in ("title", "label", "name", "slug"):
        value = payload.get(key)
        if isinstance(value, str) and value:
            return value[:200]
    return fallback


def journal(*, organization: str = "", subject_type: str = "") -> QuerySet[LogEntry]:
    """Entries newest first, filtered by acting organisation slug and record type."""
    qs = LogEntry.objects.all()
    if organization:
        qs = qs.filter(actor_org=organization)
    if subject_type:
        qs = qs.filter(subject_type=subject_type)
    return qs.order_by("-index").defer("leaf", "leaf_hash")


def journal_lines(entries: list[LogEntry]) -> list[JournalLine]:
    """Sentences for a page of entries (one extra query for organisation names)."""
    from spld.organizations.models import Organization

    slugs = {e.actor_org for e in entries if e.actor_org}
    names = dict(Organization.objects.filter(slug__in=slugs).values_list("slug", "name"))
    out = []
    for e in entries:
        try:
            payload = json.loads(bytes(e.payload))
        except ValueError:
            payload = {}
        out.append(
            JournalLine(
                index=e.index,
                who=names.get(e.actor_org, e.actor_org) or _("L’équipe du SPLD"),
                verb=str(ACTION_VERBS.get(e.action, e.action)),
                what=str(TYPE_LABELS.get(e.subject_type, e.subject_type)),
                title=_title(payload if isinstance(payload, dict) else {}, e.subject_id),
                at=e.at,
                subject_type=e.subject_type,
                action=e.action,
            )
        )
    return out


# The same actions as nouns, for tables with an "Action" column ("création", not "created").
ACTION_LABELS = {
    "created": gettext_lazy("création"),
    "registered": gettext_lazy("enregistrement"),
    "published": gettext_lazy("publication"),
    "updated": gettext_lazy("modification"),
    "unpublished": gettext_lazy("retrait"),
    "deleted": gettext_lazy("suppression"),
    "archived": gettext_lazy("archivage"),
    "signed": gettext_lazy("signature"),
    "submitted": gettext_lazy("dépôt"),
    "raised": gettext_lazy("émission"),
    "closed": gettext_lazy("clôture"),
    "excluded": gettext_lazy("exclusion"),
    "deactivated": gettext_lazy("désactivation"),
    "applied": gettext_lazy("candidature"),
    "adopted": gettext_lazy("adoption"),
    "withdrawn": gettext_lazy("retrait"),
    "version_published": gettext_lazy("nouvelle version"),
    "status_changed": gettext_lazy("changement de statut"),
    "scheduled": gettext_lazy("programmation"),
    "remedied": gettext_lazy("levée"),
    "minutes_published": gettext_lazy("compte rendu publié"),
    "indicators_recorded": gettext_lazy("indicateurs enregistrés"),
    "escalated": gettext_lazy("aggravation"),
    "decided": gettext_lazy("décision"),
    "closed_by_exclusion": gettext_lazy("clôture par une exclusion"),
    "appointed": gettext_lazy("nomination"),
    "answered": gettext_lazy("réponse"),
    "issued": gettext_lazy("émission"),
}


def action_label(action: str) -> str:
    """A log action code as a noun ("indicators_recorded" → "indicateurs enregistrés")."""
    return str(ACTION_LABELS.get(action, action.replace("_", " ")))


def type_label(subject_type: str) -> str:
    """A log subject type as a person reads it."""
    return str(TYPE_LABELS.get(subject_type, subject_type))


def journal_filters() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(organisations, types) choices for the journal filters."""
    from spld.organizations.models import Organization

    orgs = list(Organization.objects.order_by("name").values_list("slug", "name"))
    types = sorted(LogEntry.objects.values_list("subject_type", flat=True).distinct())
    return orgs, [(t, str(TYPE_LABELS.get(t, t))) for t in types]


def witnesses() -> list[dict[str, Any]]:
    """Witnesses with their latest cosigned tree size and time."""
    out = []
    for w in Witness.objects.select_related("organization").order_by("label"):
        last = (
            Cosignature.objects.filter(witness=w)
            .select_related("checkpoint")
            .order_by("-checkpoint__size")
            .first()
        )
        out.append(
            {
                "witness": w,
                "last_size": last.checkpoint.size if last else None,
                "last_time": datetime.fromtimestamp(last.timestamp, tz=UTC) if last else None,
            }
        )
    return out


def cosignature_status() -> dict[str, Any] | None:
    """The newest checkpoint and how old its newest witness cosignature is (None: no log yet)."""
    latest = Checkpoint.objects.order_by("-size").first()
    if latest is None:
        return None
    newest = (Cosignature.objects.select_related("checkpoint")
              .order_by("-checkpoint__size", "-timestamp").first())
    cosigned_at = datetime.fromtimestamp(newest.timestamp, tz=UTC) if newest else None
    return {
        "size": latest.size,
        "signed_at": latest.created_at,
        "cosigners": latest.cosignatures.count(),
        "cosigned_size": newest.checkpoint.size if newest else None,
        "cosigned_at": cosigned_at,
        "age_seconds": (int((datetime.now(tz=UTC) - cosigned_at).total_seconds())
                        if cosigned_at else None),
    }
