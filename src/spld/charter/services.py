"""Every write of the charter app: one use case per function, permission first, log last."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from spld.charter import indicators as indicator_registry
from spld.charter import lifecycle
from spld.charter.lifecycle import IllegalTransition, S
from spld.charter.models import (
    Alert,
    CapacityAnswer,
    CapacityAssessment,
    CapacityDecision,
    CharterVersion,
    CommitteeMeeting,
    CommitteeMember,
    Evaluation,
    EvaluationAnswer,
    EvaluationReminder,
    Evidence,
    Exclusion,
    IndicatorValue,
    Membership,
    MembershipEvent,
    Opinion,
    PrincipleText,
)
from spld.core.permissions import has_role, is_spld_admin, require
from spld.ledger import services as ledger

PRINCIPLE_NUMBERS = range(1, 12)


@dataclass(frozen=True)
class SystemActor:
    """The platform itself, acting from a scheduled task or the command line."""

    is_authenticated: bool = True
    is_superuser: bool = True
    is_committee_member: bool = False
    pk: None = None

    def roles_for(self, organization: Any) -> set[str]:
        return set()


SYSTEM = SystemActor()


def reapply_delay_days() -> int:
    """Days an excluded organisation waits before it may apply again."""
    return int(getattr(settings, "CHARTER_REAPPLY_DELAY_DAYS", 365))


def _user(actor: Any) -> Any:
    # Only real users are stored as authors; tokens and the system keep a label only.
    from spld.accounts.models import User

    return actor if isinstance(actor, User) else None


def author_label(actor: Any, organization: Any = None) -> str:
    """Public label of who acted: a body or a role, never a person's name."""
    if isinstance(actor, SystemActor):
        return _("Plateforme SPLD (tâche automatique)")
    if organization is not None and has_role(actor, organization, "org_admin", "dpo", "editor"):
        return str(organization.name)
    if is_spld_admin(actor):
        return _("Équipe SPLD")
    if getattr(actor, "is_committee_member", False):
        return _("Comité d’éthique")
    org = getattr(actor, "organization", None)
    return str(org.name) if org is not None else _("Utilisateur")


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Indiquez le motif de ce changement.")})
    return reason


def _move(*, actor: Any, membership: Membership, target: str, reason: str,
          action: str | None = None) -> MembershipEvent:
    """Apply one state-machine transition and log it (call inside a transaction)."""
    # Lock the row and re-read its status: two people acting at once must not both move it.
    current = Membership.objects.select_for_update().values_list("status", flat=True).get(
        pk=membership.pk)
    if current != membership.status:
        raise ValidationError(_("Le statut de cette adhésion vient de changer ({s}) : "
                                "rechargez la page.").format(s=Membership.Status(current).label),
                              code="duplicate")
    transition = lifecycle.find(membership.status, target)
    now = timezone.now()
    source = membership.status
    membership.status = target
    membership.status_since = now
    if target == S.ACTIVE and transition.action == "activated":
        membership.active_since = now
    if target == S.APPLIED:
        membership.active_since = None  # a new application starts a new signatory period
    membership.save()
    event = MembershipEvent.objects.create(
        membership=membership, from_status=source, to_status=target,
        action=action or transition.action, reason=reason, at=now, author=_user(actor),
        author_label=author_label(actor, membership.organization),
    )
    ledger.record(actor=actor, subject=event, action=event.action)
    ledger.record(actor=actor, subject=membership, action="status_changed")
    return event


# --- Charter versions -------------------------------------------------------------------------

def seed_first_version(*, actor: Any) -> CharterVersion:
    """Create version 1 of the charter from the principles (idempotent)."""
    require(actor, "charter.manage")
    from spld.charter.seed import FIRST_VERSION

    existing = CharterVersion.objects.filter(number=1).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        version = CharterVersion.objects.create(
            number=1, adopted_on=FIRST_VERSION["adopted_on"],
            adopted_by=FIRST_VERSION["adopted_by"], changelog=FIRST_VERSION["changelog"],
            reasons=FIRST_VERSION["reasons"])
        for number, (title, body, commentary) in FIRST_VERSION["principles"].items():
            PrincipleText.objects.create(version=version, number=number, title=title,
                                         body=body, commentary=commentary)
        ledger.record(actor=actor, subject=version, action="adopted")
    return version


def adopt_version(*, actor: Any, adopted_on: dt.date, adopted_by: str, changelog: str,
                  reasons: str, changes: dict[int, dict[str, str]],
                  consultation_url: str = "") -> CharterVersion:
    """Adopt a new version: unchanged principles carry over, changed ones need a reason."""
    require(actor, "charter.manage")
    previous = CharterVersion.objects.order_by("-number").first()
    if previous is None:
        raise ValidationError(_("La version 1 de la charte doit d’abord exister."))
    errors: dict[str, str] = {}
    if not reasons.strip():
        errors["reasons"] = _("Expliquez pourquoi la charte change.")
    if not changes:
        errors["changes"] = _("Une nouvelle version doit modifier au moins un principe.")
    for number, change in changes.items():
        if number not in PRINCIPLE_NUMBERS:
            errors["changes"] = _("Principe inconnu : {n}.").format(n=number)
        elif not (change.get("change_reason") or "").strip():
            errors[f"changes.{number}"] = _("Donnez la raison du changement du principe {n}."
                                            ).format(n=number)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        version = CharterVersion(number=previous.number + 1, adopted_on=adopted_on,
                                 adopted_by=adopted_by, changelog=changelog, reasons=reasons,
                                 consultation_url=consultation_url)
        version.full_clean()
        version.save()
        for old in previous.principles.all():
            change = changes.get(old.number, {})
            PrincipleText.objects.create(
                version=version, number=old.number, title=change.get("title") or old.title,
                body=change.get("body") or old.body,
                commentary=change.get("commentary", old.commentary),
                change_reason=change.get("change_reason", ""))
        ledger.record(actor=actor, subject=version, action="adopted")
    return version


# --- Membership lifecycle ---------------------------------------------------------------

def _validate_contract(route: str, contract: dict[str, Any]) -> None:
    errors: dict[str, str] = {}
    if route not in Membership.Route.values:
        errors["route"] = _("Voie d’entrée inconnue : {v}.").format(v=route)
    elif route == Membership.Route.CONTRACT:
        if contract.get("contract_kind") not in Membership.ContractKind.values:
            errors["contract_kind"] = _("Précisez le type de contrat (marché, concession ou "
                                        "délégation de service public).")
        if not (contract.get("contract_reference") or "").strip():
            errors["contract_reference"] = _("Indiquez la référence du contrat.")
        if not contract.get("contract_start"):
            errors["contract_start"] = _("Indiquez la date de début du contrat.")
        if contract.get("contracting_authority") is None:
            errors["contracting_authority"] = _("Indiquez l’autorité contractante.")
        start, end = contract.get("contract_start"), contract.get("contract_end")
        if start and end and end < start:
            errors["contract_end"] = _("La fin du contrat précède son début.")
    if errors:
        raise ValidationError(errors)


def apply(*, actor: Any, organization: Any, route: str = Membership.Route.VOLUNTARY,
          motivation: str = "", contract_kind: str = "", contract_reference: str = "",
          contract_start: dt.date | None = None, contract_end: dt.date | None = None,
          contracting_authority: Any = None) -> Membership:
    """An organisation applies to sign the charter (voluntarily or under a contract)."""
    require(actor, "charter.apply", organization)
    contract = {"contract_kind": contract_kind, "contract_reference": contract_reference,
                "contract_start": contract_start, "contract_end": contract_end,
                "contracting_authority": contracting_authority}
    _validate_contract(route, contract)
    existing = Membership.objects.filter(organization=organization).first()
    if existing is not None:
        if existing.status in (S.EXCLUDED, S.WITHDRAWN):
            return reapply(actor=actor, membership=existing,
                           reason=motivation or _("Nouvelle candidature."), route=route,
                           **contract)
        raise ValidationError(_("Cette organisation a déjà une adhésion ({status}).").format(
            status=existing.get_status_display()))
    if route != Membership.Route.CONTRACT:
        contract = {"contract_kind": "", "contract_reference": "", "contract_start": None,
                    "contract_end": None, "contracting_authority": None}
    now = timezone.now()
    with transaction.atomic():
        membership = Membership(organization=organization, status=S.APPLIED, status_since=now,
                                route=route, motivation=motivation,
                                charter_version=CharterVersion.objects.order_by("-number")
                                .first(), **contract)
        membership.full_clean()
        membership.save()
        CapacityAssessment.objects.create(membership=membership, round=1)
        event = MembershipEvent.objects.create(
            membership=membership, from_status="", to_status=S.APPLIED, action="applied",
            reason=motivation or _("Candidature déposée."), at=now, author=_user(actor),
            author_label=author_label(actor, organization))
        ledger.record(actor=actor, subject=membership, action="applied")
        ledger.record(actor=actor, subject=event, action="applied")
    return membership


def reapply(*, actor: Any, membership: Membership, reason: str,
            route: str = Membership.Route.VOLUNTARY, **contract: Any) -> Membership:
    """Apply again after a withdrawal, or after an exclusion once the delay has passed."""
    require(actor, "charter.apply", membership.organization)
    reason = _require_reason(reason)
    lifecycle.find(membership.status, S.APPLIED)
    if membership.status == S.EXCLUDED:
        exclusion = membership.exclusions.order_by("-decided_on").first()
        if exclusion is not None and timezone.localdate() < exclusion.reapply_after:
            raise ValidationError(
                _("Une organisation exclue ne peut pas candidater avant le {date} "
                  "(délai de {days} jours après l’exclusion).").format(
                    date=exclusion.reapply_after.strftime("%d/%m/%Y"),
                    days=reapply_delay_days()),
                code="reapply_too_early")
    contract.setdefault("contract_kind", "")
    _validate_contract(route, contract)
    with transaction.atomic():
        membership.route = route
        for field in ("contract_kind", "contract_reference", "contract_start", "contract_end",
                      "contracting_authority"):
            if field in contract:
                setattr(membership, field, contract[field] or (
                    "" if field in ("contract_kind", "contract_reference") else None))
        membership.charter_version = CharterVersion.objects.order_by("-number").first()
        last = membership.assessments.order_by("-round").first()
        CapacityAssessment.objects.create(membership=membership,
                                          round=(last.round + 1) if last else 1)
        _move(actor=actor, membership=membership, target=S.APPLIED, reason=reason)
    return membership


def withdraw(*, actor: Any, membership: Membership, reason: str) -> Membership:
    """The signatory leaves the charter (or drops its application)."""
    require(actor, "charter.withdraw", membership)
    reason = _require_reason(reason)
    with transaction.atomic():
        _close_alerts(membership, Alert.Status.DISMISSED, reason)
        _move(actor=actor, membership=membership, target=S.WITHDRAWN, reason=reason)
    return membership


def change_status(*, actor: Any, membership: Membership, target: str, reason: str) -> Membership:
    """Move a membership by hand; routes to the use case that owns the move."""
    # Permission before state: a stranger must not learn the status from the refusal.
    require(actor, "charter.change_status", membership)
    transition = lifecycle.find(membership.status, target)  # IllegalTransition lists the options
    if transition.action == "withdrawn":
        return withdraw(actor=actor, membership=membership, reason=reason)
    if transition.action == "reapplied":
        return reapply(actor=actor, membership=membership, reason=reason)
    if transition.action == "remediated":
        return remediate(actor=actor, membership=membership, reason=reason)
    messages = {
        "activated": _("Une adhésion ne devient active que par une décision enregistrée sur "
                       "la démonstration de capacité."),
        "changes_requested": _("Demandez des compléments par une décision sur la démonstration "
                               "de capacité."),
        "review_started": _("L’examen commence quand l’organisation transmet sa démonstration "
                            "de capacité."),
        "excluded": _("Une exclusion exige la décision et le vote du comité d’éthique."),
    }
    raise ValidationError(messages.get(transition.action,
                                       _("Ce changement passe par l’émission d’une alerte.")),
                          code="use_dedicated_action")


# --- Capacity assessment ----------------------------------------------------------------

EVIDENCE_TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    # extension: (content type, accepted leading bytes; empty = text checked as UTF-8)
    "pdf": ("application/pdf", (b"%PDF-",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "odt": ("application/vnd.oasis.opendocument.text", (b"PK\x03\x04",)),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", (b"PK\x03\x04",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
             (b"PK\x03\x04",)),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             (b"PK\x03\x04",)),
    "csv": ("text/csv", ()),
    "txt": ("text/plain", ()),
}


def _looks_latin1(data: bytes) -> bool:
    # Windows-1252/Latin-1 text has no control bytes besides tab, CR and LF.
    return not any(b < 9 or 13 < b < 32 for b in data)


def evidence_max_bytes() -> int:
    """Largest evidence file accepted."""
    return int(getattr(settings, "CHARTER_EVIDENCE_MAX_BYTES", 10 * 1024 * 1024))


def check_evidence_file(upload: UploadedFile) -> str:
    """Check an evidence file's size, extension and actual content; return its content type."""
    name = upload.name or ""
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in EVIDENCE_TYPES:
        raise ValidationError({"file": _("Type de fichier refusé (.{ext}). Types acceptés : "
                                         "{types}.").format(ext=ext or "?",
                                                            types=", ".join(EVIDENCE_TYPES))})
    if upload.size is None or upload.size > evidence_max_bytes():
        raise ValidationError({"file": _("Fichier trop volumineux : {size} octets, maximum "
                                         "{max} octets.").format(size=upload.size,
                                                                 max=evidence_max_bytes())})
    if upload.size == 0:
        raise ValidationError({"file": _("Le fichier est vide.")})
    content_type, magics = EVIDENCE_TYPES[ext]
    upload.seek(0)
    head = upload.read(4096)
    upload.seek(0)
    if magics and not any(head.startswith(m) for m in magics):
        raise ValidationError({"file": _("Le contenu du fichier ne correspond pas à son "
                                         "extension .{ext}.").format(ext=ext)})
    if not magics:
        if b"\x00" in head:
            raise ValidationError({"file": _("Ce fichier texte contient des données "
                                             "binaires.")})
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            # A character cut at 4096 bytes is fine; Latin-1 text is fine; binary is not.
            if exc.start < len(head) - 4 and not _looks_latin1(head):
                raise ValidationError({"file": _("Ce fichier texte n’est ni en UTF-8 ni en "
                                                 "Latin-1.")}) from None
    return content_type


def _editable_assessment(assessment: CapacityAssessment) -> None:
    if assessment.status not in (CapacityAssessment.Status.DRAFT,
                                 CapacityAssessment.Status.CHANGES_REQUESTED):
        raise ValidationError(_("Cette démonstration de capacité a été transmise : elle n’est "
                                "plus modifiable."))


def save_answer(*, actor: Any, assessment: CapacityAssessment, principle: int, practice: str,
                responsible: str) -> CapacityAnswer:
    """Write or rewrite the answer for one principle of the capacity questionnaire."""
    require(actor, "charter.fill", assessment.membership)
    _editable_assessment(assessment)
    if principle not in PRINCIPLE_NUMBERS:
        raise ValidationError({"principle": _("Le principe doit être compris entre 1 et 11.")})
    with transaction.atomic():
        answer = CapacityAnswer.objects.filter(assessment=assessment,
                                               principle=principle).first()
        answer = answer or CapacityAnswer(assessment=assessment, principle=principle)
        answer.practice, answer.responsible = practice.strip(), responsible.strip()
        answer.full_clean()
        answer.save()
    return answer


def add_evidence(*, actor: Any, answer: CapacityAnswer, label: str,
                 file: UploadedFile | None = None, url: str = "") -> Evidence:
    """Attach a piece of evidence (a checked file or a link) to an answer."""
    require(actor, "charter.fill", answer.assessment.membership)
    _editable_assessment(answer.assessment)
    if bool(file) == bool(url):
        raise ValidationError(_("Joignez soit un fichier, soit un lien (un des deux)."))
    evidence = Evidence(answer=answer, label=label.strip(), url=url)
    if file is not None:
        evidence.content_type = check_evidence_file(file)
        evidence.size = file.size or 0
    evidence.full_clean(exclude=["file"])
    with transaction.atomic():
        if file is not None:
            evidence.file.save(file.name or "preuve", file, save=False)
        evidence.save()
    return evidence


def submit_assessment(*, actor: Any, assessment: CapacityAssessment) -> CapacityAssessment:
    """Send the completed questionnaire to the reviewers; the membership goes under review."""
    require(actor, "charter.fill", assessment.membership)
    _editable_assessment(assessment)
    missing = sorted(set(PRINCIPLE_NUMBERS) - set(
        assessment.answers.values_list("principle", flat=True)))
    if missing:
        raise ValidationError(_("Répondez pour chaque principe avant de transmettre ; il manque "
                                "les principes {missing}.").format(
            missing=", ".join(map(str, missing))))
    with transaction.atomic():
        assessment.status = CapacityAssessment.Status.SUBMITTED
        assessment.submitted_at = timezone.now()
        assessment.save()
        _move(actor=actor, membership=assessment.membership, target=S.UNDER_REVIEW,
              reason=_("Démonstration de capacité transmise (tour {n}).").format(
                  n=assessment.round))
    return assessment


def add_review_comment(*, actor: Any, assessment: CapacityAssessment, body: str,
                       principle: int | None = None, requests_change: bool = False
                       ) -> Any:
    """A reviewer (SPLD team or committee) comments on a submitted assessment."""
    from spld.charter.models import ReviewComment

    require(actor, "charter.review", assessment.membership)
    if assessment.status != CapacityAssessment.Status.SUBMITTED:
        raise ValidationError(_("Seule une démonstration transmise peut être commentée."))
    if not body.strip():
        raise ValidationError({"body": _("Le commentaire est vide.")})
    if principle is not None and principle not in PRINCIPLE_NUMBERS:
        raise ValidationError({"principle": _("Le principe doit être compris entre 1 et 11.")})
    return ReviewComment.objects.create(
        assessment=assessment, body=body.strip(), principle=principle,
        requests_change=requests_change, author=_user(actor),
        author_label=author_label(actor))


def decide(*, actor: Any, assessment: CapacityAssessment, outcome: str,
           reasons: str) -> CapacityDecision:
    """Record the decision on a capacity assessment: activate, or ask for more."""
    require(actor, "charter.manage", assessment.membership)
    if outcome not in CapacityDecision.Outcome.values:
        raise ValidationError({"outcome": _("Décision inconnue : {v}.").format(v=outcome)})
    if not reasons.strip():
        raise ValidationError({"reasons": _("Motivez la décision.")})
    if assessment.status != CapacityAssessment.Status.SUBMITTED or hasattr(assessment,
                                                                           "decision"):
        raise ValidationError(_("Cette démonstration n’attend pas de décision."))
    membership = assessment.membership
    with transaction.atomic():
        decision = CapacityDecision.objects.create(
            assessment=assessment, outcome=outcome, reasons=reasons.strip(),
            decided_at=timezone.now(), decided_by=_user(actor),
            decided_by_label=author_label(actor))
        assessment.status = CapacityAssessment.Status.DECIDED
        assessment.save()
        if outcome == CapacityDecision.Outcome.APPROVED:
            membership.charter_version = CharterVersion.objects.order_by("-number").first()
            _move(actor=actor, membership=membership, target=S.ACTIVE, reason=reasons.strip())
        else:
            # A new round starts from the previous answers so that only the gaps are redone.
            following = CapacityAssessment.objects.create(
                membership=membership, round=assessment.round + 1,
                status=CapacityAssessment.Status.CHANGES_REQUESTED)
            for answer in assessment.answers.all():
                copy = CapacityAnswer.objects.create(
                    assessment=following, principle=answer.principle,
                    practice=answer.practice, responsible=answer.responsible)
                for ev in answer.evidence.all():
                    Evidence.objects.create(answer=copy, label=ev.label, file=ev.file.name,
                                            url=ev.url, content_type=ev.content_type,
                                            size=ev.size)
            _move(actor=actor, membership=membership, target=S.APPLIED, reason=reasons.strip())
        ledger.record(actor=actor, subject=decision, action=outcome)
    return decision


# --- Evaluations ------------------------------------------------------------------------

def submit_evaluation(*, actor: Any, membership: Membership, year: int,
                      answers: dict[int, tuple[str, str]], summary: str = "") -> Evaluation:
    """File the yearly self-evaluation (once per year), with the indicators of the day."""
    require(actor, "charter.fill", membership)
    today = timezone.localdate()
    errors: dict[str, str] = {}
    if membership.status not in lifecycle.SIGNATORY_STATUSES:
        raise ValidationError(_("Seul un signataire peut transmettre une auto-évaluation "
                                "(statut actuel : {s}).").format(
            s=membership.get_status_display()))
    if year > today.year or (membership.active_since and year < membership.active_since.year):
        errors["year"] = _("Année hors de la période d’adhésion : {y}.").format(y=year)
    missing = sorted(set(PRINCIPLE_NUMBERS) - set(answers))
    extra = sorted(set(answers) - set(PRINCIPLE_NUMBERS))
    if missing or extra:
        errors["answers"] = _("Donnez une réponse pour chacun des 11 principes (manquants : "
                              "{m}).").format(m=", ".join(map(str, missing + extra)) or "-")
    for number, (level, _comment) in answers.items():
        if level not in EvaluationAnswer.Level.values:
            errors[f"answers.{number}"] = _("Niveau inconnu : {v}.").format(v=level)
    if errors:
        raise ValidationError(errors)
    if Evaluation.objects.filter(membership=membership, year=year).exists():
        raise ValidationError(_("L’auto-évaluation {y} a déjà été transmise ; elle ne peut "
                                "pas l’être deux fois.").format(y=year), code="duplicate")
    values = indicator_registry.compute_all(membership.organization, today)
    try:
        with transaction.atomic():
            evaluation = Evaluation.objects.create(
                membership=membership, year=year, submitted_at=timezone.now(),
                summary=summary.strip(), indicators=values)
            for number, (level, comment) in sorted(answers.items()):
                EvaluationAnswer.objects.create(evaluation=evaluation, principle=number,
                                                level=level, comment=comment.strip())
            ledger.record(actor=actor, subject=evaluation, action="submitted")
    except IntegrityError as exc:
        # Two submissions racing: the unique constraint decides, the loser gets the same error.
        raise ValidationError(_("L’auto-évaluation {y} a déjà été transmise ; elle ne peut "
                                "pas l’être deux fois.").format(y=year),
                              code="duplicate") from exc
    return evaluation


def _org_recipients(organization: Any) -> list[str]:
    return list(organization.memberships.filter(role__in=["org_admin", "dpo"])
                .values_list("user__email", flat=True).distinct())


def check_overdue_evaluations(*, actor: Any, at_date: dt.date | None = None) -> dict[str, int]:
    """Remind signatories of an overdue evaluation, then raise an alert if unheeded."""
    require(actor, "charter.manage")
    from spld.charter import selectors

    at_date = at_date or timezone.localdate()
    year = at_date.year - 1
    due = selectors.evaluation_due_date(year)
    counts = {"reminders": 0, "alerts": 0}
    if at_date <= due:
        return counts
    grace = int(getattr(settings, "CHARTER_REMINDER_GRACE_DAYS", 30))
    for membership in selectors.signatories().select_related("organization"):
        if membership.active_since is None or membership.active_since.date() > dt.date(year, 12,
                                                                                     31):
            continue
        if membership.evaluations.filter(year=year).exists():
            continue
        sent = {r.kind: r for r in membership.reminders.filter(year=year)}
        if "reminder" not in sent:
            with transaction.atomic():
                EvaluationReminder.objects.create(membership=membership, year=year,
                                                  kind="reminder", sent_at=timezone.now())
                send_mail(
                    _("Auto-évaluation {y} attendue").format(y=year),
                    _("L’auto-évaluation {y} de {org} devait être transmise avant le {due}. "
                      "Merci de la déposer dans votre espace signataire.").format(
                        y=year, org=membership.organization.name,
                        due=due.strftime("%d/%m/%Y")),
                    None, _org_recipients(membership.organization), fail_silently=True)
            counts["reminders"] += 1
        elif "alert" not in sent and at_date > sent["reminder"].sent_at.date() + dt.timedelta(
                days=grace) and membership.status in lifecycle.ESCALATION:
            with transaction.atomic():
                EvaluationReminder.objects.create(membership=membership, year=year,
                                                  kind="alert", sent_at=timezone.now())
                _raise(actor=actor, membership=membership, principle=2,
                       facts=_("L’auto-évaluation {y} n’a pas été transmise malgré la relance "
                               "du {d}.").format(y=year,
                                                 d=sent["reminder"].sent_at.strftime("%d/%m/%Y")),
                       expected_remedy=_("Transmettre l’auto-évaluation {y}.").format(y=year),
                       deadline=at_date + dt.timedelta(days=30),
                       origin=Alert.Origin.OVERDUE_EVALUATION)
            counts["alerts"] += 1
    return counts


# --- Indicators -------------------------------------------------------------------------

def record_indicator_values(*, actor: Any, at_date: dt.date | None = None,
                            organizations: Any = None) -> int:
    """Compute every indicator for the signatories and store the values (the history)."""
    require(actor, "charter.manage")
    from spld.charter import selectors

    at_date = at_date or timezone.localdate()
    if organizations is None:
        organizations = [m.organization for m in selectors.signatories()
                         .select_related("organization")]
    stored = 0
    for organization in organizations:
        values = indicator_registry.compute_all(organization, at_date)
        with transaction.atomic():
            for code, value in values.items():
                IndicatorValue.objects.update_or_create(
                    organization=organization, code=code, at_date=at_date,
                    defaults={"value": value})
                stored += 1
    return stored


def propose_alerts_from_indicators(*, actor: Any, periods: int = 2) -> list[Alert]:
    """Propose an alert where an indicator stayed under its threshold for `periods` measures."""
    require(actor, "charter.manage")
    from spld.charter import selectors

    proposals = []
    for membership in selectors.signatories().select_related("organization"):
        if membership.status not in lifecycle.ESCALATION:
            continue
        for indicator in indicator_registry.INDICATORS:
            last = list(IndicatorValue.objects.filter(
                organization=membership.organization, code=indicator.code,
                value__isnull=False).order_by("-at_date")[:periods])
            if len(last) < periods or not all(indicator.is_below(v.value) for v in last):
                continue
            if membership.alerts.filter(indicator_code=indicator.code, status__in=[
                    Alert.Status.PROPOSED, Alert.Status.OPEN, Alert.Status.ANSWERED]).exists():
                continue
            facts = _("L’indicateur « {label} » est resté sous son seuil ({t:g} %) lors des "
                      "{n} dernières mesures : {values}.").format(
                label=indicator.label, t=indicator.threshold, n=periods,
                values=", ".join(f"{v.at_date:%d/%m/%Y} : {v.value:g} %" for v in last))
            with transaction.atomic():
                proposals.append(Alert.objects.create(
                    membership=membership, level=membership.alert_level + 1,
                    principle=indicator.principle, facts=facts,
                    expected_remedy=_("Atteindre le seuil de l’indicateur « {label} » ({t:g} %)."
                                      ).format(label=indicator.label, t=indicator.threshold),
                    deadline=timezone.localdate() + dt.timedelta(days=60),
                    status=Alert.Status.PROPOSED, origin=Alert.Origin.INDICATOR,
                    indicator_code=indicator.code, raised_at=timezone.now()))
    return proposals


# --- Alerts and exclusion ---------------------------------------------------------------

def _check_alert_fields(principle: int, facts: str, expected_remedy: str,
                        deadline: dt.date | None) -> None:
    errors: dict[str, str] = {}
    if principle not in PRINCIPLE_NUMBERS:
        errors["principle"] = _("Le principe doit être compris entre 1 et 11.")
    if not facts.strip():
        errors["facts"] = _("Décrivez les faits constatés.")
    if not expected_remedy.strip():
        errors["expected_remedy"] = _("Indiquez la correction attendue.")
    if deadline is None:
        errors["deadline"] = _("Indiquez une échéance.")
    elif deadline <= timezone.localdate():
        errors["deadline"] = _("L’échéance doit être dans le futur (reçu : {d}).").format(
            d=deadline.strftime("%d/%m/%Y"))
    if errors:
        raise ValidationError(errors)


def _close_alerts(membership: Membership, status: str, resolution: str) -> None:
    for alert in membership.alerts.filter(status__in=[Alert.Status.OPEN, Alert.Status.ANSWERED,
                                                      Alert.Status.PROPOSED]):
        alert.status = status if alert.status != Alert.Status.PROPOSED else \
            Alert.Status.DISMISSED
        alert.resolution, alert.resolved_at = resolution, timezone.now()
        alert.save()


def _raise(*, actor: Any, membership: Membership, principle: int, facts: str,
           expected_remedy: str, deadline: dt.date, origin: str = Alert.Origin.TEAM,
           indicator_code: str = "", alert: Alert | None = None) -> Alert:
    """Escalate the membership one level and open the alert (inside a transaction)."""
    target = lifecycle.ESCALATION.get(membership.status)
    if target is None:
        raise IllegalTransition(membership.status, S.ALERT_1 if membership.status == S.ACTIVE
                                else "alert", lifecycle.allowed_targets(membership.status))
    for previous in membership.alerts.filter(status__in=[Alert.Status.OPEN,
                                                         Alert.Status.ANSWERED]):
        previous.status = Alert.Status.ESCALATED
        previous.resolved_at = timezone.now()
        previous.save()
        ledger.record(actor=actor, subject=previous, action="escalated")
    alert = alert or Alert(membership=membership, origin=origin, indicator_code=indicator_code)
    alert.level = membership.alert_level + 1
    alert.principle, alert.facts, alert.expected_remedy = principle, facts, expected_remedy
    alert.deadline, alert.status = deadline, Alert.Status.OPEN
    alert.raised_at, alert.raised_by = timezone.now(), _user(actor)
    alert.full_clean()
    alert.save()
    _move(actor=actor, membership=membership, target=target,
          reason=_("Alerte de niveau {n} (principe {p}) : {facts}").format(
              n=alert.level, p=principle, facts=facts))
    ledger.record(actor=actor, subject=alert, action="raised")
    return alert


def raise_alert(*, actor: Any, membership: Membership, principle: int, facts: str,
                expected_remedy: str, deadline: dt.date | None) -> Alert:
    """The SPLD team raises an alert; the membership moves up one level."""
    require(actor, "charter.manage", membership)
    _check_alert_fields(principle, facts, expected_remedy, deadline)
    with transaction.atomic():
        return _raise(actor=actor, membership=membership, principle=principle,
                      facts=facts.strip(), expected_remedy=expected_remedy.strip(),
                      deadline=deadline)  # type: ignore[arg-type]


def confirm_proposal(*, actor: Any, alert: Alert, deadline: dt.date | None = None) -> Alert:
    """Turn an automatic proposal into a real alert."""
    require(actor, "charter.manage", alert.membership)
    if alert.status != Alert.Status.PROPOSED:
        raise ValidationError(_("Cette alerte n’est pas une proposition en attente."))
    deadline = deadline or alert.deadline
    _check_alert_fields(alert.principle, alert.facts, alert.expected_remedy, deadline)
    with transaction.atomic():
        return _raise(actor=actor, membership=alert.membership, principle=alert.principle,
                      facts=alert.facts, expected_remedy=alert.expected_remedy,
                      deadline=deadline, alert=alert)


def dismiss_proposal(*, actor: Any, alert: Alert, reason: str) -> Alert:
    """Discard an automatic proposal, with a reason (kept, not published)."""
    require(actor, "charter.manage", alert.membership)
    if alert.status != Alert.Status.PROPOSED:
        raise ValidationError(_("Cette alerte n’est pas une proposition en attente."))
    alert.status, alert.resolution = Alert.Status.DISMISSED, _require_reason(reason)
    alert.resolved_at = timezone.now()
    alert.save()
    return alert


def answer_alert(*, actor: Any, alert: Alert, answer: str) -> Alert:
    """The signatory answers an alert in its space."""
    require(actor, "charter.fill", alert.membership)
    if alert.status not in (Alert.Status.OPEN, Alert.Status.ANSWERED):
        raise ValidationError(_("Cette alerte n’attend plus de réponse ({s}).").format(
            s=alert.get_status_display()))
    if not answer.strip():
        raise ValidationError({"answer": _("La réponse est vide.")})
    with transaction.atomic():
        alert.answer, alert.answered_at = answer.strip(), timezone.now()
        alert.status = Alert.Status.ANSWERED
        alert.save()
        ledger.record(actor=actor, subject=alert, action="answered")
    return alert


def remediate(*, actor: Any, membership: Membership, reason: str) -> Membership:
    """The failure is corrected: running alerts close and the signatory is active again."""
    require(actor, "charter.manage", membership)
    reason = _require_reason(reason)
    lifecycle.find(membership.status, S.ACTIVE)
    with transaction.atomic():
        for alert in membership.alerts.filter(status__in=[Alert.Status.OPEN,
                                                          Alert.Status.ANSWERED]):
            alert.status, alert.resolution = Alert.Status.REMEDIED, reason
            alert.resolved_at = timezone.now()
            alert.save()
            ledger.record(actor=actor, subject=alert, action="remedied")
        _move(actor=actor, membership=membership, target=S.ACTIVE, reason=reason)
    return membership


def exclude(*, actor: Any, membership: Membership, decision: str, votes_for: int,
            votes_against: int, abstentions: int = 0, decided_on: dt.date | None = None,
            meeting: CommitteeMeeting | None = None) -> Exclusion:
    """Exclude a signatory after its final notice, on the committee's recorded vote."""
    require(actor, "charter.manage", membership)
    lifecycle.find(membership.status, S.EXCLUDED)
    errors: dict[str, str] = {}
    if not decision.strip():
        errors["decision"] = _("Recopiez la décision du comité.")
    if min(votes_for, votes_against, abstentions) < 0:
        errors["votes_for"] = _("Les nombres de voix ne peuvent pas être négatifs.")
    elif votes_for <= votes_against:
        errors["votes_for"] = _("Le comité n’a pas voté l’exclusion ({f} pour, {a} contre) : "
                                "elle ne peut pas être prononcée.").format(f=votes_for,
                                                                         a=votes_against)
    decided_on = decided_on or timezone.localdate()
    if decided_on > timezone.localdate():
        errors["decided_on"] = _("La date de décision ne peut pas être dans le futur.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        exclusion = Exclusion.objects.create(
            membership=membership, meeting=meeting, decision=decision.strip(),
            votes_for=votes_for, votes_against=votes_against, abstentions=abstentions,
            decided_on=decided_on,
            reapply_after=decided_on + dt.timedelta(days=reapply_delay_days()))
        for alert in membership.alerts.filter(status__in=[Alert.Status.OPEN,
                                                          Alert.Status.ANSWERED]):
            alert.status, alert.resolution = Alert.Status.EXCLUDED, decision.strip()
            alert.resolved_at = timezone.now()
            alert.save()
            ledger.record(actor=actor, subject=alert, action="closed_by_exclusion")
        _move(actor=actor, membership=membership, target=S.EXCLUDED,
              reason=_("Exclusion votée par le comité ({f} pour, {a} contre, {b} abstentions) : "
                       "{d}").format(f=votes_for, a=votes_against, b=abstentions,
                                     d=decision.strip()))
        ledger.record(actor=actor, subject=exclusion, action="decided")
    return exclusion


# --- Ethics committee -------------------------------------------------------------------

def add_committee_member(*, actor: Any, name: str, college: str, mandate_start: dt.date,
                         mandate_end: dt.date, user: Any = None) -> CommitteeMember:
    """Appoint a committee member for a mandate."""
    require(actor, "charter.manage")
    member = CommitteeMember(name=name.strip(), college=college, mandate_start=mandate_start,
                             mandate_end=mandate_end, user=user)
    member.full_clean()
    if mandate_end <= mandate_start:
        raise ValidationError({"mandate_end": _("Le mandat doit finir après son début.")})
    with transaction.atomic():
        member.save()
        if user is not None and not user.is_committee_member:
            user.is_committee_member = True
            user.save(update_fields=["is_committee_member"])
        ledger.record(actor=actor, subject=member, action="appointed")
    return member


def schedule_meeting(*, actor: Any, date: dt.date, title: str, agenda: str) -> CommitteeMeeting:
    """Announce a committee meeting with its agenda."""
    require(actor, "charter.committee")
    meeting = CommitteeMeeting(date=date, title=title.strip(), agenda=agenda.strip())
    meeting.full_clean()
    with transaction.atomic():
        meeting.save()
        ledger.record(actor=actor, subject=meeting, action="scheduled")
    return meeting


def record_minutes(*, actor: Any, meeting: CommitteeMeeting, minutes: str) -> CommitteeMeeting:
    """Publish the minutes of a meeting that took place."""
    require(actor, "charter.committee")
    if meeting.date > timezone.localdate():
        raise ValidationError(_("La réunion n’a pas encore eu lieu."))
    if not minutes.strip():
        raise ValidationError({"minutes": _("Le compte rendu est vide.")})
    with transaction.atomic():
        meeting.minutes = minutes.strip()
        meeting.save()
        ledger.record(actor=actor, subject=meeting, action="minutes_published")
    return meeting


def publish_opinion(*, actor: Any, subject_kind: str, title: str, body: str,
                    membership: Membership | None = None, alert: Alert | None = None,
                    subject_ref: str = "", meeting: CommitteeMeeting | None = None,
                    issued_on: dt.date | None = None) -> Opinion:
    """The committee publishes an opinion on a membership, an alert, a usage or an algorithm."""
    require(actor, "charter.committee")
    errors: dict[str, str] = {}
    if subject_kind == Opinion.SubjectKind.MEMBERSHIP and membership is None:
        errors["membership"] = _("Indiquez l’adhésion concernée.")
    if subject_kind == Opinion.SubjectKind.ALERT and alert is None:
        errors["alert"] = _("Indiquez l’alerte concernée.")
    if subject_kind in (Opinion.SubjectKind.USAGE, Opinion.SubjectKind.ALGORITHM) and \
            not subject_ref.strip():
        errors["subject_ref"] = _("Indiquez l’usage ou l’algorithme concerné.")
    if errors:
        raise ValidationError(errors)
    if alert is not None and membership is None:
        membership = alert.membership
    opinion = Opinion(subject_kind=subject_kind, title=title.strip(), body=body.strip(),
                      membership=membership, alert=alert, subject_ref=subject_ref.strip(),
                      meeting=meeting, issued_on=issued_on or timezone.localdate())
    opinion.full_clean()
    with transaction.atomic():
        opinion.save()
        ledger.record(actor=actor, subject=opinion, action="published")
    return opinion


# --- Annual report ----------------------------------------------------------------------

def _render_report(annual: Any) -> Any:
    """Score the prose, render the PDF and store it with its hash (facts already set)."""
    import hashlib

    from django.core.files.base import ContentFile

    from spld.charter import report as report_module

    annual.readability = report_module.readability(
        report_module.readability_text(annual, annual.facts))
    annual.generated_at = timezone.now()
    pdf = report_module.render_pdf(annual)
    with transaction.atomic():
        annual.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
        if annual.pdf:
            annual.pdf.delete(save=False)
        annual.pdf.save(f"rapport-charte-{annual.year}.pdf", ContentFile(pdf), save=False)
        annual.save()
    return annual


def generate_annual_report(*, actor: Any, year: int, introduction: str | None = None,
                           recommendations: str | None = None) -> Any:
    """Compute the year's facts, the readability score and the PDF of a draft report."""
    from spld.charter import report as report_module
    from spld.charter.models import AnnualReport

    require(actor, "charter.manage")
    if year < 2000 or year > timezone.localdate().year:
        raise ValidationError({"year": _("Année impossible : {y}.").format(y=year)})
    annual = AnnualReport.objects.filter(year=year).first() or AnnualReport(year=year)
    if annual.status == AnnualReport.Status.PUBLISHED:
        raise ValidationError(_("Le rapport {y} est publié : il ne peut plus être régénéré."
                                ).format(y=year), code="duplicate")
    annual.facts = report_module.build_facts(year)
    if introduction is not None:
        annual.introduction = introduction.strip()
    if recommendations is not None:
        annual.recommendations = recommendations.strip()
    return _render_report(annual)


def update_report_text(*, actor: Any, report: Any, introduction: str,
                       recommendations: str) -> Any:
    """Edit the prose of a draft report (introduction, committee recommendations)."""
    from spld.charter import report as report_module
    from spld.charter.models import AnnualReport

    require(actor, "charter.committee")
    if report.status == AnnualReport.Status.PUBLISHED:
        raise ValidationError(_("Un rapport publié ne se modifie plus."))
    report.introduction, report.recommendations = introduction.strip(), recommendations.strip()
    report.facts = report.facts or report_module.build_facts(report.year)
    return _render_report(report)


def publish_annual_report(*, actor: Any, report: Any) -> Any:
    """Publish a generated report; the PDF's SHA-256 goes into the transparency log."""
    from spld.charter.models import AnnualReport

    require(actor, "charter.manage")
    if report.status == AnnualReport.Status.PUBLISHED:
        raise ValidationError(_("Ce rapport est déjà publié."), code="duplicate")
    if not report.pdf or not report.pdf_sha256:
        raise ValidationError(_("Générez le rapport avant de le publier."))
    with transaction.atomic():
        report.status, report.published_at = AnnualReport.Status.PUBLISHED, timezone.now()
        report.save()
        ledger.record(actor=actor, subject=report, action="published")
    return report
