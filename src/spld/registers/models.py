"""The registers: processing activities, data flows, usages, algorithms and impact assessments."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from spld.core.models import PublicRecord
from spld.registers import vocab


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None


def _slugs(manager: Any) -> list[str]:
    return sorted(o.slug for o in manager.all())


def validate_purposes(value: Any) -> None:
    """Purposes are DPV purpose IRIs."""
    if not isinstance(value, list) or not value or any(v not in vocab.PURPOSES for v in value):
        raise ValidationError(_g("Choisissez au moins une finalité parmi le vocabulaire DPV."))


def validate_categories(value: Any) -> None:
    """Personal-data categories are DPV pd: IRIs."""
    if not isinstance(value, list) or any(v not in vocab.CATEGORIES for v in value):
        raise ValidationError(_g("Catégorie de données personnelles inconnue (vocabulaire DPV)."))


def validate_text_list(value: Any) -> None:
    """A list of short texts."""
    if not isinstance(value, list) or any(
        not isinstance(v, str) or not v.strip() or len(v) > 200 for v in value
    ):
        raise ValidationError(_g("Une liste de textes courts est attendue."))


def validate_transfers(value: Any) -> None:
    """Transfers outside the EU: [{"country": ..., "safeguard": ...}]."""
    if not isinstance(value, list) or any(
        not isinstance(t, dict) or not str(t.get("country", "")).strip()
        or not str(t.get("safeguard", "")).strip() or set(t) - {"country", "safeguard"}
        for t in value
    ):
        raise ValidationError(
            _g("Chaque transfert hors UE indique un pays et une garantie (country, safeguard).")
        )


class RegisterEntry(PublicRecord):
    """Common part of every register entry: an owner organisation and a stable public UUID."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="+",
        verbose_name=_("organisation responsable"),
    )

    class Meta:
        abstract = True

    def public_id(self) -> str:
        return str(self.uid)


class ProcessingActivity(RegisterEntry):
    """A processing of personal data (GDPR art. 30 record entry) of a controller organisation."""

    public_type = "processing_activity"

    class Status(models.TextChoices):
        PLANNED = "planned", _("en préparation")
        ACTIVE = "active", _("en cours")
        ENDED = "ended", _("terminé")

    name = models.CharField(_("nom du traitement"), max_length=250)
    description = models.TextField(
        _("description en langage clair"),
        help_text=_("Ce que fait ce traitement, expliqué à un habitant."),
    )
    purposes = models.JSONField(_("finalités (DPV)"), default=list, validators=[validate_purposes])
    purpose_detail = models.TextField(_("finalité détaillée"), blank=True)
    legal_basis = models.CharField(_("base légale (RGPD art. 6)"), max_length=200,
                                   choices=vocab.legal_basis_choices())
    legal_text = models.CharField(
        _("texte juridique français"), max_length=500, blank=True,
        help_text=_("Par exemple : « Code de l’éducation, art. L213-2 »."),
    )
    data_categories = models.JSONField(_("catégories de données personnelles"), default=list,
                                       blank=True, validators=[validate_categories])
    data_subjects = models.JSONField(_("catégories de personnes concernées"), default=list,
                                     blank=True, validators=[validate_text_list])
    recipient_organizations = models.ManyToManyField(
        "organizations.Organization", blank=True, related_name="+",
        verbose_name=_("organisations destinataires"),
    )
    other_recipients = models.TextField(_("autres destinataires"), blank=True)
    transfers = models.JSONField(_("transferts hors Union européenne"), default=list,
                                 blank=True, validators=[validate_transfers])
    retention = models.CharField(_("durée de conservation"), max_length=300)
    # Art. 30(1)(g): described to the authority, never published (it would help attackers).
    security_measures = models.TextField(_("mesures de sécurité (interne, non publié)"),
                                         blank=True)
    joint_controllers = models.ManyToManyField(
        "organizations.Organization", blank=True, related_name="+",
        verbose_name=_("responsables conjoints"),
    )
    processors = models.TextField(_("sous-traitants"), blank=True)
    datasets_used = models.ManyToManyField("catalog.Dataset", blank=True, related_name="+",
                                           verbose_name=_("jeux de données utilisés"))
    datasets_produced = models.ManyToManyField("catalog.Dataset", blank=True, related_name="+",
                                               verbose_name=_("jeux de données produits"))
    dpia_required = models.BooleanField(_("analyse d’impact requise"), default=False)
    dpia_reason = models.TextField(_("pourquoi une analyse d’impact est requise ou non"))
    status = models.CharField(_("statut"), max_length=10, choices=Status.choices,
                              default=Status.PLANNED)
    start_date = models.DateField(_("date de début du traitement"), null=True, blank=True)

    class Meta:
        ordering = ["organization__name", "name"]
        verbose_name = _("traitement")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("registers:processing_detail", kwargs={"uid": self.uid})

    @property
    def has_special_categories(self) -> bool:
        return any(vocab.CATEGORIES[c]["special"] for c in self.data_categories
                   if c in vocab.CATEGORIES)

    @property
    def transfers_outside_eu(self) -> bool:
        return bool(self.transfers)

    def public_payload(self) -> dict[str, Any]:
        return {
            "uid": str(self.uid), "controller": self.organization.slug, "name": self.name,
            "description": self.description, "purposes": list(self.purposes),
            "purpose_detail": self.purpose_detail, "legal_basis": self.legal_basis,
            "legal_text": self.legal_text, "data_categories": list(self.data_categories),
            "special_categories": self.has_special_categories,
            "data_subjects": list(self.data_subjects),
            "recipient_organizations": _slugs(self.recipient_organizations),
            "other_recipients": self.other_recipients, "transfers": list(self.transfers),
            "retention": self.retention,
            "joint_controllers": _slugs(self.joint_controllers), "processors": self.processors,
            "datasets_used": _slugs(self.datasets_used),
            "datasets_produced": _slugs(self.datasets_produced),
            "dpia_required": self.dpia_required, "dpia_reason": self.dpia_reason,
            "status": self.status, "start_date": _iso(self.start_date),
        }


class DataFlow(RegisterEntry):
    """Data shared by an organisation (`organization`) with another one or a recipient category."""

    public_type = "data_flow"

    class Ground(models.TextChoices):
        CONVENTION = "convention", _("convention de partage")
        CONTRACT = "contract", _("contrat ou marché public")
        DELEGATION = "delegation", _("clause d’une délégation de service public")
        LAW = "law", _("obligation légale")
        OPEN_DATA = "open_data", _("données ouvertes")

    class Frequency(models.TextChoices):
        ONCE = "once", _("une fois")
        REALTIME = "realtime", _("en continu")
        DAILY = "daily", _("chaque jour")
        WEEKLY = "weekly", _("chaque semaine")
        MONTHLY = "monthly", _("chaque mois")
        YEARLY = "yearly", _("chaque année")
        ON_DEMAND = "on_demand", _("à la demande")

    class Status(models.TextChoices):
        PLANNED = "planned", _("prévu")
        ACTIVE = "active", _("actif")
        SUSPENDED = "suspended", _("suspendu")
        ENDED = "ended", _("terminé")

    recipient = models.ForeignKey(
        "organizations.Organization", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", verbose_name=_("organisation destinataire"),
    )
    recipient_category = models.CharField(
        _("catégorie de destinataires"), max_length=200, blank=True,
        help_text=_("Si le destinataire n’est pas une organisation partenaire."),
    )
    datasets = models.ManyToManyField("catalog.Dataset", blank=True, related_name="+",
                                      verbose_name=_("jeux de données partagés"))
    data_categories = models.JSONField(_("catégories de données personnelles"), default=list,
                                       blank=True, validators=[validate_categories])
    data_description = models.TextField(_("données partagées (description)"), blank=True)
    purpose = models.TextField(_("pour quoi faire"))
    ground = models.CharField(_("fondement du partage"), max_length=12, choices=Ground.choices)
    reference = models.CharField(_("référence de l’acte"), max_length=250, blank=True)
    start_date = models.DateField(_("début"), null=True, blank=True)
    end_date = models.DateField(_("fin"), null=True, blank=True)
    frequency = models.CharField(_("fréquence"), max_length=10, choices=Frequency.choices,
                                 default=Frequency.ON_DEMAND)
    status = models.CharField(_("statut"), max_length=10, choices=Status.choices,
                              default=Status.ACTIVE)

    class Meta:
        ordering = ["organization__name", "-start_date"]
        verbose_name = _("flux de données")

    def __str__(self) -> str:
        return f"{self.organization} → {self.recipient_label}"

    @property
    def recipient_label(self) -> str:
        return self.recipient.name if self.recipient_id else self.recipient_category

    def clean(self) -> None:
        if not self.recipient_id and not self.recipient_category.strip():
            raise ValidationError({"recipient": _g(
                "Indiquez une organisation destinataire ou une catégorie de destinataires.")})
        if self.recipient_id and self.recipient_id == self.organization_id:
            raise ValidationError({"recipient": _g(
                "Une organisation ne partage pas de données avec elle-même.")})
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _g("La fin précède le début.")})

    def get_absolute_url(self) -> str:
        return reverse("registers:flow_detail", kwargs={"uid": self.uid})

    def public_payload(self) -> dict[str, Any]:
        return {
            "uid": str(self.uid), "from": self.organization.slug,
            "to": self.recipient.slug if self.recipient_id else None,
            "recipient_category": self.recipient_category,
            "datasets": _slugs(self.datasets), "data_categories": list(self.data_categories),
            "data_description": self.data_description, "purpose": self.purpose,
            "ground": self.ground, "reference": self.reference,
            "start_date": _iso(self.start_date), "end_date": _iso(self.end_date),
            "frequency": self.frequency, "status": self.status,
        }


class Algorithm(RegisterEntry):
    """A public algorithm (Eurocities standard ∪ UK ATRS ∪ CRPA L311-3-1 / R311-3-1-2)."""

    public_type = "algorithm"

    class Status(models.TextChoices):
        PLANNED = "planned", _("prévu")
        IN_USE = "in_use", _("en service")
        RETIRED = "retired", _("retiré")

    class Role(models.TextChoices):
        INFORMS = "informs", _("éclaire la décision")
        RECOMMENDS = "recommends", _("recommande une décision")
        DECIDES = "decides", _("prend la décision")

    class Method(models.TextChoices):
        RULES = "rules", _("règles explicites")
        STATISTICS = "statistics", _("modèle statistique")
        MACHINE_LEARNING = "machine_learning", _("apprentissage automatique")

    name = models.CharField(_("nom"), max_length=250)
    department = models.CharField(_("service"), max_length=200)
    contact_email = models.EmailField(_("contact (adresse fonctionnelle)"))
    description_short = models.CharField(_("description courte"), max_length=150)
    description = models.TextField(_("description détaillée"))
    status = models.CharField(_("statut"), max_length=10, choices=Status.choices,
                              default=Status.PLANNED)
    purpose = models.TextField(_("objectif"))
    benefit = models.TextField(_("bénéfice attendu"), blank=True)
    decision_role = models.CharField(_("rôle dans la décision"), max_length=12,
                                     choices=Role.choices)
    automation_level = models.TextField(_("niveau d’automatisation"))
    human_oversight = models.TextField(_("intervention humaine"))
    people_affected = models.TextField(_("personnes concernées"))
    yearly_volume = models.PositiveIntegerField(_("décisions par an (estimation)"), null=True,
                                                blank=True)
    legal_basis = models.TextField(_("base légale"))
    data_sources = models.TextField(_("données traitées et leurs sources"))
    datasets = models.ManyToManyField("catalog.Dataset", blank=True, related_name="+",
                                      verbose_name=_("jeux de données utilisés"))
    method = models.CharField(_("méthode"), max_length=20, choices=Method.choices)
    operations = models.TextField(_("opérations effectuées"))
    # [{"name", "label", "type": number|boolean|choice, "weight", "min", "max",
    #   "choices": {value: points}, "unit", "source", "description"}]
    parameters = models.JSONField(_("paramètres et pondérations"), default=list, blank=True)
    decision_rule = models.TextField(_("règle de décision appliquée au score"), blank=True)
    performance = models.TextField(_("performance"), blank=True)
    monitoring = models.TextField(_("suivi et contrôle"))
    risks = models.TextField(_("risques (biais, discrimination)"))
    mitigations = models.TextField(_("mesures d’atténuation"))
    impact_assessment = models.ForeignKey(
        "registers.ImpactAssessment", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="algorithms", verbose_name=_("analyse d’impact"),
    )
    redress = models.TextField(_("recours et droit d’opposition"))
    code_url = models.URLField(_("code source"), blank=True)
    documentation_url = models.URLField(_("documentation"), blank=True)
    # Eurocities attributes with no column of their own (area, domain, risk_category…).
    extra = models.JSONField(_("autres attributs (standard Eurocities)"), default=dict,
                             blank=True)
    version = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["organization__name", "name"]
        verbose_name = _("algorithme public")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from spld.registers.explain import validate_parameter_specs

        validate_parameter_specs(self.parameters)

    def get_absolute_url(self) -> str:
        return reverse("registers:algorithm_detail", kwargs={"uid": self.uid})

    def public_payload(self) -> dict[str, Any]:
        return {
            "uid": str(self.uid), "version": self.version, "organization": self.organization.slug,
            "name": self.name, "department": self.department,
            "contact_email": self.contact_email, "description_short": self.description_short,
            "description": self.description, "status": self.status, "purpose": self.purpose,
            "benefit": self.benefit, "decision_role": self.decision_role,
            "automation_level": self.automation_level, "human_oversight": self.human_oversight,
            "people_affected": self.people_affected, "yearly_volume": self.yearly_volume,
            "legal_basis": self.legal_basis, "data_sources": self.data_sources,
            "datasets": _slugs(self.datasets), "method": self.method,
            "operations": self.operations, "parameters": list(self.parameters),
            "decision_rule": self.decision_rule, "performance": self.performance,
            "monitoring": self.monitoring, "risks": self.risks, "mitigations": self.mitigations,
            "impact_assessment": str(self.impact_assessment.uid)
            if self.impact_assessment_id else None,
            "redress": self.redress, "code_url": self.code_url,
            "documentation_url": self.documentation_url, "extra": dict(self.extra),
        }


class AlgorithmRevision(models.Model):
    """One dated public version of an algorithm entry (the full revision history)."""

    algorithm = models.ForeignKey(Algorithm, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    snapshot = models.JSONField()
    note = models.CharField(_("note de révision"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["algorithm", "-version"]
        constraints = [models.UniqueConstraint(fields=["algorithm", "version"],
                                               name="unique_algorithm_version")]

    def __str__(self) -> str:
        return f"{self.algorithm_id} v{self.version}"


class Usage(RegisterEntry):
    """A use of data for the general interest, with its expected and actual results."""

    public_type = "usage"

    class Status(models.TextChoices):
        PLANNED = "planned", _("prévu")
        EXPERIMENT = "experiment", _("en expérimentation")
        IN_PRODUCTION = "in_production", _("en service")
        ENDED = "ended", _("terminé")

    title = models.CharField(_("titre"), max_length=250)
    description = models.TextField(_("description"))
    partners = models.ManyToManyField("organizations.Organization", blank=True,
                                      related_name="+", verbose_name=_("organisations associées"))
    datasets = models.ManyToManyField("catalog.Dataset", blank=True, related_name="+",
                                      verbose_name=_("jeux de données utilisés"))
    purpose = models.TextField(_("finalité"))
    general_interest = models.TextField(_("contribution à l’intérêt général"))
    expected_results = models.TextField(_("résultats attendus"))
    actual_results = models.TextField(_("résultats obtenus"), blank=True)
    start_date = models.DateField(_("début"), null=True, blank=True)
    end_date = models.DateField(_("fin"), null=True, blank=True)
    status = models.CharField(_("statut"), max_length=14, choices=Status.choices,
                              default=Status.PLANNED)
    algorithms = models.ManyToManyField(Algorithm, blank=True, related_name="usages",
                                        verbose_name=_("algorithmes"))
    processing_activities = models.ManyToManyField(
        ProcessingActivity, blank=True, related_name="usages", verbose_name=_("traitements"))
    footprint_note = models.TextField(_("empreinte environnementale"), blank=True)
    lineage_run = models.UUIDField(
        _("exécution citée (identifiant OpenLineage)"), null=True, blank=True,
        help_text=_("Le chemin des données de cette exécution sera affiché."),
    )

    class Meta:
        ordering = ["-start_date", "title"]
        verbose_name = _("usage")

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _g("La fin précède le début.")})

    def get_absolute_url(self) -> str:
        return reverse("registers:usage_detail", kwargs={"uid": self.uid})

    def public_payload(self) -> dict[str, Any]:
        return {
            "uid": str(self.uid), "organization": self.organization.slug, "title": self.title,
            "description": self.description, "partners": _slugs(self.partners),
            "datasets": _slugs(self.datasets), "purpose": self.purpose,
            "general_interest": self.general_interest,
            "expected_results": self.expected_results, "actual_results": self.actual_results,
            "start_date": _iso(self.start_date), "end_date": _iso(self.end_date),
            "status": self.status,
            "algorithms": sorted(str(a.uid) for a in self.algorithms.all()),
            "processing_activities": sorted(str(p.uid) for p in self.processing_activities.all()),
            "footprint_note": self.footprint_note,
            "lineage_run": str(self.lineage_run) if self.lineage_run else None,
            "indicators": [
                {"name": i.name, "unit": i.unit, "date": i.date.isoformat(),
                 "value": i.value} for i in self.indicators.all()
            ],
        }


class UsageIndicator(models.Model):
    """One measurement of a usage's indicator at a date (results over time)."""

    usage = models.ForeignKey(Usage, on_delete=models.CASCADE, related_name="indicators")
    name = models.CharField(_("indicateur"), max_length=200)
    unit = models.CharField(_("unité"), max_length=50, blank=True)
    date = models.DateField(_("date"))
    value = models.FloatField(_("valeur"))

    class Meta:
        ordering = ["name", "date"]
        constraints = [models.UniqueConstraint(fields=["usage", "name", "date"],
                                               name="unique_indicator_point")]

    def __str__(self) -> str:
        return f"{self.name} {self.date}: {self.value}"


class ImpactAssessment(RegisterEntry):
    """A DPIA (AIPD) of a processing activity, with the summary published before it starts."""

    public_type = "impact_assessment"

    class Status(models.TextChoices):
        DRAFT = "draft", _("brouillon")
        REVIEWED = "reviewed", _("relue, prête à publier")
        PUBLISHED = "published", _("publiée")

    processing_activity = models.ForeignKey(
        ProcessingActivity, on_delete=models.PROTECT, related_name="impact_assessments",
        verbose_name=_("traitement"),
    )
    title = models.CharField(_("titre"), max_length=250)
    source = models.CharField(_("origine"), max_length=20, default="manual")
    # The full PIA-tool export stays internal: it names the assessors.
    source_document = models.JSONField(null=True, blank=True, editable=False)
    context = models.TextField(_("contexte"))
    necessity = models.TextField(_("nécessité et proportionnalité"))
    # [{"name", "severity": 1-4, "likelihood": 1-4, "impacts", "threats"}]
    risks = models.JSONField(_("risques"), default=list, blank=True)
    # [{"title", "content"}]
    measures = models.JSONField(_("mesures"), default=list, blank=True)
    dpo_opinion = models.TextField(_("avis du délégué à la protection des données"), blank=True)
    data_subjects_opinion = models.TextField(_("avis des personnes concernées"), blank=True)
    decision = models.TextField(_("décision"), blank=True)
    status = models.CharField(_("statut"), max_length=10, choices=Status.choices,
                              default=Status.DRAFT)
    reviewed_at = models.DateTimeField(_("relue le"), null=True, blank=True)
    published_at = models.DateTimeField(_("publiée le"), null=True, blank=True)

    class Meta:
        ordering = ["-published_at", "title"]
        verbose_name = _("analyse d’impact")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("registers:dpia_detail", kwargs={"uid": self.uid})

    @property
    def published_before_start(self) -> bool | None:
        start = self.processing_activity.start_date
        if not self.published_at or not start:
            return None
        return self.published_at.date() <= start

    def public_payload(self) -> dict[str, Any]:
        return {
            "uid": str(self.uid), "organization": self.organization.slug,
            "processing_activity": str(self.processing_activity.uid), "title": self.title,
            "source": self.source, "context": self.context, "necessity": self.necessity,
            "risks": list(self.risks), "measures": list(self.measures),
            "dpo_opinion": self.dpo_opinion, "data_subjects_opinion": self.data_subjects_opinion,
            "decision": self.decision, "status": self.status,
            "published_at": _iso(self.published_at),
            "processing_start_date": _iso(self.processing_activity.start_date),
        }
