"""The charter in action: versions, memberships and their lifecycle, capacity assessments,
evaluations, indicators, alerts, exclusions, the ethics committee and the annual report."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from spld.core.commitments import commit, new_salt
from spld.core.models import PublicRecord, TimeStamped

PRINCIPLE_VALIDATORS = [MinValueValidator(1), MaxValueValidator(11)]


def _date(value: Any) -> str | None:
    return value.isoformat() if value else None


# --- Charter versions -----------------------------------------------------------------------

class CharterVersion(PublicRecord):
    """One adopted version of the charter text."""

    public_type = "charter_version"

    number = models.PositiveIntegerField(_("numéro de version"), unique=True)
    adopted_on = models.DateField(_("adoptée le"))
    adopted_by = models.CharField(_("instance qui l’a adoptée"), max_length=200)
    changelog = models.TextField(_("résumé des changements"), blank=True)
    reasons = models.TextField(_("raisons des changements"), blank=True)
    consultation_url = models.URLField(_("consultation qui a éclairé ces changements"),
                                       blank=True)

    class Meta:
        ordering = ["-number"]
        verbose_name = _("version de la charte")
        verbose_name_plural = _("versions de la charte")

    def __str__(self) -> str:
        return f"Charte v{self.number}"

    def get_absolute_url(self) -> str:
        return reverse("charter:version", kwargs={"number": self.number})

    def public_id(self) -> str:
        return str(self.number)

    def public_payload(self) -> dict[str, Any]:
        return {
            "number": self.number, "adopted_on": _date(self.adopted_on),
            "adopted_by": self.adopted_by, "changelog": self.changelog, "reasons": self.reasons,
            "consultation_url": self.consultation_url,
            "principles": [
                {"number": p.number, "title": p.title, "body": p.body,
                 "commentary": p.commentary, "change_reason": p.change_reason}
                for p in self.principles.order_by("number")
            ],
        }


class PrincipleText(models.Model):
    """The text of one principle in one charter version."""

    version = models.ForeignKey(CharterVersion, on_delete=models.CASCADE,
                                related_name="principles")
    number = models.PositiveSmallIntegerField(_("principe"), validators=PRINCIPLE_VALIDATORS)
    title = models.CharField(_("titre"), max_length=200)
    body = models.TextField(_("texte"))
    commentary = models.TextField(_("commentaire"), blank=True)
    change_reason = models.TextField(_("raison du changement"), blank=True)

    class Meta:
        ordering = ["version", "number"]
        constraints = [models.UniqueConstraint(fields=["version", "number"],
                                               name="charter_principle_once_per_version")]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


# --- Membership lifecycle -------------------------------------------------------------------

class Membership(PublicRecord):
    """An organisation's commitment to the charter (« adhésion ») and where it stands."""

    public_type = "charter_membership"

    class Status(models.TextChoices):
        APPLIED = "applied", _("candidature déposée")
        UNDER_REVIEW = "under_review", _("en cours d’examen")
        ACTIVE = "active", _("signataire actif")
        ALERT_1 = "alert_1", _("alerte de niveau 1")
        ALERT_2 = "alert_2", _("alerte de niveau 2")
        FINAL_NOTICE = "final_notice", _("mise en demeure")
        EXCLUDED = "excluded", _("exclu")
        WITHDRAWN = "withdrawn", _("retiré")

    class Route(models.TextChoices):
        VOLUNTARY = "voluntary", _("adhésion volontaire")
        CONTRACT = "contract", _("annexée à un contrat")

    class ContractKind(models.TextChoices):
        PROCUREMENT = "procurement", _("marché public")
        CONCESSION = "concession", _("concession")
        DELEGATION = "delegation", _("délégation de service public")

    organization = models.OneToOneField("organizations.Organization", on_delete=models.PROTECT,
                                        related_name="charter_membership",
                                        verbose_name=_("organisation"))
    status = models.CharField(_("statut"), max_length=20, choices=Status.choices,
                              default=Status.APPLIED)
    status_since = models.DateTimeField(_("dans ce statut depuis"))
    active_since = models.DateTimeField(_("signataire depuis"), null=True, blank=True)
    route = models.CharField(_("voie d’entrée"), max_length=12, choices=Route.choices,
                             default=Route.VOLUNTARY)
    contract_kind = models.CharField(_("type de contrat"), max_length=12,
                                     choices=ContractKind.choices, blank=True)
    contract_reference = models.CharField(_("référence du contrat"), max_length=200, blank=True)
    contract_start = models.DateField(_("début du contrat"), null=True, blank=True)
    contract_end = models.DateField(_("fin du contrat"), null=True, blank=True)
    contracting_authority = models.ForeignKey(
        "organizations.Organization", null=True, blank=True, on_delete=models.PROTECT,
        related_name="charter_contracts", verbose_name=_("autorité contractante"),
    )
    charter_version = models.ForeignKey(CharterVersion, null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="memberships",
                                        verbose_name=_("version signée"))
    motivation = models.TextField(_("motivation"), blank=True)

    class Meta:
        ordering = ["organization__name"]
        verbose_name = _("adhésion à la charte")
        verbose_name_plural = _("adhésions à la charte")

    def __str__(self) -> str:
        return f"{self.organization} — {self.get_status_display()}"

    def get_absolute_url(self) -> str:
        return reverse("charter:signatory", kwargs={"slug": self.organization.slug})

    def public_id(self) -> str:
        return self.organization.slug

    def public_payload(self) -> dict[str, Any]:
        return {
            "organization": self.organization.slug, "status": self.status,
            "status_since": self.status_since.isoformat(),
            "active_since": self.active_since.isoformat() if self.active_since else None,
            "route": self.route, "contract_kind": self.contract_kind,
            "contract_reference": self.contract_reference,
            "contract_start": _date(self.contract_start), "contract_end": _date(self.contract_end),
            "contracting_authority": (self.contracting_authority.slug
                                      if self.contracting_authority else None),
            "charter_version": self.charter_version.number if self.charter_version else None,
        }

    @property
    def alert_level(self) -> int:
        """0 when in good standing, 1–3 while alerts run (3 = final notice)."""
        return {"alert_1": 1, "alert_2": 2, "final_notice": 3}.get(self.status, 0)


class MembershipEvent(PublicRecord):
    """One transition of a membership: who, when, from what to what, and why."""

    public_type = "charter_membership_event"

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(_("statut précédent"), max_length=20, blank=True)
    to_status = models.CharField(_("nouveau statut"), max_length=20)
    action = models.CharField(_("action"), max_length=40)
    reason = models.TextField(_("motif"))
    at = models.DateTimeField(_("date"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    # Public label of the author: a body or a role, never a person's name.
    author_label = models.CharField(_("auteur"), max_length=200)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("événement d’adhésion")

    def __str__(self) -> str:
        return f"{self.membership.organization}: {self.from_status} → {self.to_status}"

    def public_payload(self) -> dict[str, Any]:
        return {
            "organization": self.membership.organization.slug, "from": self.from_status,
            "to": self.to_status, "action": self.action, "reason": self.reason,
            "at": self.at.isoformat(), "author": self.author_label,
        }

    def get_from_status_display(self) -> str:
        return str(Membership.Status(self.from_status).label) if self.from_status else ""

    def get_to_status_display(self) -> str:
        return str(Membership.Status(self.to_status).label)


# --- Capacity assessment --------------------------------------------------------------------

class CapacityAssessment(TimeStamped):
    """The demonstration of capacity an applicant files before becoming active."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("en préparation")
        SUBMITTED = "submitted", _("transmise")
        CHANGES_REQUESTED = "changes_requested", _("modifications demandées")
        DECIDED = "decided", _("décision rendue")

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE,
                                   related_name="assessments")
    round = models.PositiveSmallIntegerField(_("tour"), default=1)
    status = models.CharField(_("statut"), max_length=20, choices=Status.choices,
                              default=Status.DRAFT)
    submitted_at = models.DateTimeField(_("transmise le"), null=True, blank=True)

    class Meta:
        ordering = ["membership", "-round"]
        constraints = [models.UniqueConstraint(fields=["membership", "round"],
                                               name="charter_assessment_round_once")]
        verbose_name = _("démonstration de capacité")

    def __str__(self) -> str:
        return f"{self.membership.organization} — tour {self.round}"


class CapacityAnswer(TimeStamped):
    """What the organisation does for one principle, and who answers for it."""

    assessment = models.ForeignKey(CapacityAssessment, on_delete=models.CASCADE,
                                   related_name="answers")
    principle = models.PositiveSmallIntegerField(_("principe"), validators=PRINCIPLE_VALIDATORS)
    practice = models.TextField(_("ce que fait l’organisation"))
    responsible = models.CharField(_("fonction responsable"), max_length=200,
                                   help_text=_("Une fonction (par exemple « DPO »), pas un nom."))

    class Meta:
        ordering = ["assessment", "principle"]
        constraints = [models.UniqueConstraint(fields=["assessment", "principle"],
                                               name="charter_answer_once_per_principle")]

    def __str__(self) -> str:
        return f"{self.assessment} — principe {self.principle}"


class Evidence(models.Model):
    """A piece of evidence for an answer: an uploaded file or a link."""

    answer = models.ForeignKey(CapacityAnswer, on_delete=models.CASCADE, related_name="evidence")
    label = models.CharField(_("intitulé"), max_length=200)
    file = models.FileField(_("fichier"), upload_to="charter/evidence/%Y/", blank=True)
    url = models.URLField(_("lien"), blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["answer", "pk"]
        constraints = [models.CheckConstraint(
            condition=~models.Q(file="") | ~models.Q(url=""), name="charter_evidence_file_or_url")]

    def __str__(self) -> str:
        return self.label


class ReviewComment(models.Model):
    """A reviewer's comment on an assessment; may request a change."""

    assessment = models.ForeignKey(CapacityAssessment, on_delete=models.CASCADE,
                                   related_name="comments")
    principle = models.PositiveSmallIntegerField(_("principe"), null=True, blank=True,
                                                 validators=PRINCIPLE_VALIDATORS)
    body = models.TextField(_("commentaire"))
    requests_change = models.BooleanField(_("demande une modification"), default=False)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                               related_name="+")
    author_label = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.body[:60]


class CapacityDecision(PublicRecord):
    """The recorded decision on a capacity assessment (no activation without an approval)."""

    public_type = "charter_capacity_decision"

    class Outcome(models.TextChoices):
        APPROVED = "approved", _("capacité démontrée")
        CHANGES_REQUESTED = "changes_requested", _("compléments demandés")

    assessment = models.OneToOneField(CapacityAssessment, on_delete=models.CASCADE,
                                      related_name="decision")
    outcome = models.CharField(_("décision"), max_length=20, choices=Outcome.choices)
    reasons = models.TextField(_("motifs"))
    decided_at = models.DateTimeField(_("décidée le"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_by_label = models.CharField(max_length=200)

    class Meta:
        ordering = ["-decided_at"]
        verbose_name = _("décision sur la capacité")

    def __str__(self) -> str:
        return f"{self.assessment}: {self.outcome}"

    def public_payload(self) -> dict[str, Any]:
        return {
            "organization": self.assessment.membership.organization.slug,
            "round": self.assessment.round, "outcome": self.outcome, "reasons": self.reasons,
            "decided_at": self.decided_at.isoformat(), "decided_by": self.decided_by_label,
        }


# --- Evaluations and indicators ---------------------------------------------------------

class Evaluation(PublicRecord):
    """A signatory's yearly self-evaluation (one per year), with the indicators at that date."""

    public_type = "charter_evaluation"

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE,
                                   related_name="evaluations")
    year = models.PositiveSmallIntegerField(_("année évaluée"))
    submitted_at = models.DateTimeField(_("transmise le"))
    summary = models.TextField(_("synthèse"), blank=True)
    # Indicator values at submission so that the declaration can be read against facts.
    indicators = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["membership", "year"],
                                               name="charter_one_evaluation_per_year")]
        verbose_name = _("auto-évaluation")

    def __str__(self) -> str:
        return f"{self.membership.organization} — {self.year}"

    def public_id(self) -> str:
        return f"{self.membership.organization.slug}/{self.year}"

    def public_payload(self) -> dict[str, Any]:
        return {
            "organization": self.membership.organization.slug, "year": self.year,
            "submitted_at": self.submitted_at.isoformat(), "summary": self.summary,
            "answers": [{"principle": a.principle, "level": a.level, "comment": a.comment}
                        for a in self.answers.order_by("principle")],
            "indicators": self.indicators,
        }


class EvaluationAnswer(models.Model):
    """Self-assessed level for one principle."""

    class Level(models.TextChoices):
        MET = "met", _("respecté")
        PARTIAL = "partial", _("partiellement respecté")
        NOT_MET = "not_met", _("non respecté")
        NOT_APPLICABLE = "not_applicable", _("sans objet")

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="answers")
    principle = models.PositiveSmallIntegerField(validators=PRINCIPLE_VALIDATORS)
    level = models.CharField(max_length=20, choices=Level.choices)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["evaluation", "principle"]
        constraints = [models.UniqueConstraint(fields=["evaluation", "principle"],
                                               name="charter_eval_answer_once")]

    def __str__(self) -> str:
        return f"{self.evaluation} — {self.principle}: {self.level}"


class EvaluationReminder(models.Model):
    """A reminder (then an alert) sent because an evaluation is overdue."""

    class Kind(models.TextChoices):
        REMINDER = "reminder", _("relance")
        ALERT = "alert", _("alerte")

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="reminders")
    year = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    sent_at = models.DateTimeField()

    class Meta:
        ordering = ["-sent_at"]
        constraints = [models.UniqueConstraint(fields=["membership", "year", "kind"],
                                               name="charter_reminder_once")]

    def __str__(self) -> str:
        return f"{self.membership} {self.year} {self.kind}"


class IndicatorValue(models.Model):
    """One computed value of an indicator for an organisation at a date (the history)."""

    organization = models.ForeignKey("organizations.Organization", on_delete=models.CASCADE,
                                     related_name="charter_indicator_values")
    code = models.CharField(max_length=40)
    at_date = models.DateField()
    value = models.FloatField(null=True, blank=True)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organization", "code", "at_date"]
        constraints = [models.UniqueConstraint(fields=["organization", "code", "at_date"],
                                               name="charter_indicator_value_once")]

    def __str__(self) -> str:
        return f"{self.organization} {self.code} {self.at_date}: {self.value}"


# --- Alerts and exclusion -------------------------------------------------------------------

class Alert(PublicRecord):
    """A formal alert to a signatory: principle, facts, expected remedy, deadline."""

    public_type = "charter_alert"

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("proposée (à confirmer)")
        OPEN = "open", _("en cours")
        ANSWERED = "answered", _("réponse reçue")
        REMEDIED = "remedied", _("manquement corrigé")
        ESCALATED = "escalated", _("suivie d’une alerte plus grave")
        EXCLUDED = "excluded", _("close par l’exclusion")
        DISMISSED = "dismissed", _("écartée")

    class Origin(models.TextChoices):
        TEAM = "team", _("équipe SPLD")
        INDICATOR = "indicator", _("indicateur sous le seuil")
        OVERDUE_EVALUATION = "overdue_evaluation", _("auto-évaluation en retard")

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="alerts")
    level = models.PositiveSmallIntegerField(_("niveau"), default=1,
                                             validators=[MinValueValidator(1),
                                                         MaxValueValidator(3)])
    principle = models.PositiveSmallIntegerField(_("principe"), validators=PRINCIPLE_VALIDATORS)
    facts = models.TextField(_("faits constatés"))
    expected_remedy = models.TextField(_("correction attendue"))
    deadline = models.DateField(_("échéance"))
    status = models.CharField(_("statut"), max_length=20, choices=Status.choices,
                              default=Status.OPEN)
    origin = models.CharField(_("origine"), max_length=20, choices=Origin.choices,
                              default=Origin.TEAM)
    indicator_code = models.CharField(max_length=40, blank=True)
    raised_at = models.DateTimeField(_("émise le"))
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    answer = models.TextField(_("réponse du signataire"), blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    resolution = models.TextField(_("suite donnée"), blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-raised_at", "-pk"]
        verbose_name = _("alerte")

    def __str__(self) -> str:
        return f"{self.membership.organization} — alerte {self.level} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("charter:alert", kwargs={"pk": self.pk})

    def public_payload(self) -> dict[str, Any]:
        return {
            "organization": self.membership.organization.slug, "level": self.level,
            "principle": self.principle, "facts": self.facts,
            "expected_remedy": self.expected_remedy, "deadline": _date(self.deadline),
            "status": self.status, "origin": self.origin, "indicator": self.indicator_code,
            "raised_at": self.raised_at.isoformat(), "answer": self.answer,
            "resolution": self.resolution,
        }


class Exclusion(PublicRecord):
    """The committee's decision to exclude a signatory, with its vote."""

    public_type = "charter_exclusion"

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE,
                                   related_name="exclusions")
    meeting = models.ForeignKey("charter.CommitteeMeeting", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="exclusions")
    decision = models.TextField(_("décision du comité"))
    votes_for = models.PositiveSmallIntegerField(_("voix pour l’exclusion"))
    votes_against = models.PositiveSmallIntegerField(_("voix contre"))
    abstentions = models.PositiveSmallIntegerField(_("abstentions"), default=0)
    decided_on = models.DateField(_("date de la décision"))
    reapply_after = models.DateField(_("nouvelle candidature possible à partir du"))

    class Meta:
        ordering = ["-decided_on"]
        verbose_name = _("exclusion")

    def __str__(self) -> str:
        return f"{self.membership.organization} exclu le {self.decided_on}"

    def public_payload(self) -> dict[str, Any]:
        return {
            "organization": self.membership.organization.slug, "decision": self.decision,
            "votes_for": self.votes_for, "votes_against": self.votes_against,
            "abstentions": self.abstentions, "decided_on": _date(self.decided_on),
            "reapply_after": _date(self.reapply_after),
            "meeting": self.meeting_id,
        }


# --- Ethics committee -----------------------------------------------------------------------

class CommitteeMember(PublicRecord):
    """A member of the ethics committee (a public role: name, college, mandate)."""

    public_type = "charter_committee_member"

    class College(models.TextChoices):
        ELECTED = "elected", _("élus")
        CITIZENS = "citizens", _("habitants")
        EXPERTS = "experts", _("personnes qualifiées")
        SIGNATORIES = "signatories", _("signataires")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="committee_mandates")
    name = models.CharField(_("nom"), max_length=200)
    college = models.CharField(_("collège"), max_length=12, choices=College.choices)
    mandate_start = models.DateField(_("début du mandat"))
    mandate_end = models.DateField(_("fin du mandat"))
    # Name, college and mandate identify a person: the log keeps only their salted
    # commitment; the readable values stay here, where they can be erased.
    commitment_salt = models.CharField(max_length=32, default=new_salt, editable=False)

    class Meta:
        ordering = ["college", "name"]
        verbose_name = _("membre du comité d’éthique")

    def __str__(self) -> str:
        return self.name

    def person(self) -> dict[str, Any]:
        """The personal data the log commits to (shown on the committee page, not logged)."""
        return {"name": self.name, "college": self.college,
                "mandate_start": _date(self.mandate_start),
                "mandate_end": _date(self.mandate_end)}

    def public_payload(self) -> dict[str, Any]:
        return {"member": commit(self.commitment_salt, self.person())}


class CommitteeMeeting(PublicRecord):
    """A meeting of the ethics committee: agenda before, minutes after."""

    public_type = "charter_committee_meeting"

    date = models.DateField(_("date"))
    title = models.CharField(_("intitulé"), max_length=200)
    agenda = models.TextField(_("ordre du jour"))
    minutes = models.TextField(_("compte rendu"), blank=True)

    class Meta:
        ordering = ["-date"]
        verbose_name = _("réunion du comité")

    def __str__(self) -> str:
        return f"{self.date} — {self.title}"

    def public_payload(self) -> dict[str, Any]:
        return {"date": _date(self.date), "title": self.title, "agenda": self.agenda,
                "minutes": self.minutes}


class Opinion(PublicRecord):
    """A public opinion of the committee on a membership, an alert, a usage or an algorithm."""

    public_type = "charter_opinion"

    class SubjectKind(models.TextChoices):
        MEMBERSHIP = "membership", _("adhésion")
        ALERT = "alert", _("alerte")
        USAGE = "usage", _("usage de données")
        ALGORITHM = "algorithm", _("algorithme")
        CHARTER = "charter", _("charte (recommandation)")

    meeting = models.ForeignKey(CommitteeMeeting, null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="opinions")
    subject_kind = models.CharField(_("objet"), max_length=12, choices=SubjectKind.choices)
    membership = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="opinions")
    alert = models.ForeignKey(Alert, null=True, blank=True, on_delete=models.CASCADE,
                              related_name="opinions")
    # Usages and algorithms live in the registers app: referenced by their public id.
    subject_ref = models.CharField(_("référence de l’objet"), max_length=200, blank=True)
    title = models.CharField(_("titre"), max_length=200)
    body = models.TextField(_("avis"))
    issued_on = models.DateField(_("rendu le"))

    class Meta:
        ordering = ["-issued_on", "-pk"]
        verbose_name = _("avis du comité")
        verbose_name_plural = _("avis du comité")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("charter:opinion", kwargs={"pk": self.pk})

    def public_payload(self) -> dict[str, Any]:
        return {
            "subject_kind": self.subject_kind,
            "membership": self.membership.organization.slug if self.membership else None,
            "alert": self.alert_id, "subject_ref": self.subject_ref, "title": self.title,
            "body": self.body, "issued_on": _date(self.issued_on), "meeting": self.meeting_id,
        }


# --- Annual report --------------------------------------------------------------------------

class AnnualReport(PublicRecord):
    """The yearly public report on the charter's application."""

    public_type = "charter_annual_report"

    class Status(models.TextChoices):
        DRAFT = "draft", _("brouillon")
        PUBLISHED = "published", _("publié")

    year = models.PositiveSmallIntegerField(_("année"), unique=True)
    status = models.CharField(_("statut"), max_length=10, choices=Status.choices,
                              default=Status.DRAFT)
    introduction = models.TextField(_("introduction"), blank=True)
    recommendations = models.TextField(_("recommandations du comité"), blank=True)
    facts = models.JSONField(default=dict, blank=True)
    html = models.TextField(blank=True)
    pdf = models.FileField(upload_to="charter/reports/", blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    readability = models.FloatField(_("lisibilité (Flesch, français)"), null=True, blank=True)
    generated_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("rapport annuel")
        verbose_name_plural = _("rapports annuels")

    def __str__(self) -> str:
        return f"Rapport annuel {self.year}"

    def get_absolute_url(self) -> str:
        return reverse("charter:report", kwargs={"year": self.year})

    def public_id(self) -> str:
        return str(self.year)

    def public_payload(self) -> dict[str, Any]:
        return {"year": self.year, "status": self.status, "pdf_sha256": self.pdf_sha256,
                "published_at": self.published_at.isoformat() if self.published_at else None}
