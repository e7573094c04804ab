"""Writes to the registers; every public change is recorded in the transparency log."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from spld.core.permissions import require
from spld.ledger import services as ledger
from spld.registers import pia
from spld.registers.models import (
    Algorithm,
    AlgorithmRevision,
    DataFlow,
    ImpactAssessment,
    ProcessingActivity,
    Usage,
    UsageIndicator,
)

M2M = {
    ProcessingActivity: ("recipient_organizations", "joint_controllers", "datasets_used",
                         "datasets_produced"),
    DataFlow: ("datasets",),
    Algorithm: ("datasets",),
    Usage: ("partners", "datasets", "algorithms", "processing_activities"),
    ImpactAssessment: (),
}
READ_ONLY = {"id", "uid", "organization", "created_at", "updated_at", "version", "status",
             "source_document", "reviewed_at", "published_at"}


def _split(model: type, fields: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    names = {f.name for f in model._meta.get_fields()}  # type: ignore[attr-defined]
    unknown = set(fields) - names
    if unknown:
        raise TypeError(f"unknown {model.__name__} fields: {sorted(unknown)}")
    many = {k: v for k, v in fields.items() if k in M2M[model]}
    return {k: v for k, v in fields.items() if k not in many}, many


def _check_same_side(instance: Any, many: dict[str, Any]) -> None:
    # Entries may only link to the same organisation's algorithms and processing activities.
    for key in ("algorithms", "processing_activities"):
        for item in many.get(key) or []:
            if item.organization_id != instance.organization_id:
                raise ValidationError({key: _(
                    "Un usage ne peut citer que les algorithmes et traitements de sa propre "
                    "organisation.")})


def _save(*, actor: Any, instance: Any, fields: dict[str, Any], action: str) -> Any:
    plain, many = _split(type(instance), fields)
    for key, value in plain.items():
        if key in READ_ONLY:
            raise TypeError(f"{key} cannot be set directly")
        setattr(instance, key, value)
    _check_same_side(instance, many)
    instance.full_clean()
    instance.save()
    for key, value in many.items():
        getattr(instance, key).set(value)
    return instance


def _validate_flow(flow: DataFlow) -> None:
    bad = [d.slug for d in flow.datasets.all() if d.publisher_id != flow.organization_id]
    if bad:
        raise ValidationError({"datasets": _(
            "Une organisation ne peut partager que ses propres jeux de données : {s}."
        ).format(s=", ".join(bad))})


def _check_activation(activity: ProcessingActivity) -> None:
    """A processing that requires a DPIA starts only after its summary is published."""
    if activity.status != ProcessingActivity.Status.ACTIVE or not activity.dpia_required:
        return
    published = activity.impact_assessments.filter(
        status=ImpactAssessment.Status.PUBLISHED).order_by("published_at").first()
    if published is None:
        raise ValidationError({"status": _(
            "Ce traitement exige une analyse d’impact : publiez-en la synthèse avant de le "
            "mettre en œuvre.")})
    if activity.start_date is None:
        activity.start_date = timezone.localdate()
        activity.save(update_fields=["start_date"])
    if activity.start_date < timezone.localtime(published.published_at).date():
        raise ValidationError({"start_date": _(
            "Le traitement ne peut pas commencer avant la publication de son analyse "
            "d’impact ({d}).").format(d=published.published_at.date().isoformat())})


# --- processing activities -------------------------------------------------------------

def create_processing_activity(*, actor: Any, organization: Any,
                               status: str = ProcessingActivity.Status.PLANNED,
                               **fields: Any) -> ProcessingActivity:
    """Declare a processing activity of `organization` (art. 30 record)."""
    require(actor, "registers.edit", organization)
    with transaction.atomic():
        activity = ProcessingActivity(organization=organization, status=status)
        _save(actor=actor, instance=activity, fields=fields, action="created")
        _check_activation(activity)
        ledger.record(actor=actor, subject=activity, action="created")
    return activity


def update_processing_activity(*, actor: Any, activity: ProcessingActivity,
                               status: str | None = None, **fields: Any) -> ProcessingActivity:
    """Change a processing activity (including its status)."""
    require(actor, "registers.edit", activity)
    with transaction.atomic():
        if status is not None:
            activity.status = status
        _save(actor=actor, instance=activity, fields=fields, action="updated")
        _check_activation(activity)
        ledger.record(actor=actor, subject=activity, action="updated")
    return activity


# --- data flows ---------------------------------------------------------------------

def create_data_flow(*, actor: Any, organization: Any, **fields: Any) -> DataFlow:
    """Declare data shared by `organization`."""
    require(actor, "registers.edit", organization)
    with transaction.atomic():
        flow = DataFlow(organization=organization)
        if "status" in fields:
            flow.status = fields.pop("status")
        flow = _save(actor=actor, instance=flow, fields=fields, action="created")
        _validate_flow(flow)
        ledger.record(actor=actor, subject=flow, action="created")
    return flow


def update_data_flow(*, actor: Any, flow: DataFlow, **fields: Any) -> DataFlow:
    """Change a data flow (e.g. suspend or end it)."""
    require(actor, "registers.edit", flow)
    with transaction.atomic():
        if "status" in fields:
            flow.status = fields.pop("status")
        _save(actor=actor, instance=flow, fields=fields, action="updated")
        _validate_flow(flow)
        ledger.record(actor=actor, subject=flow, action="updated")
    return flow


# --- usages -------------------------------------------------------------------------

def create_usage(*, actor: Any, organization: Any, **fields: Any) -> Usage:
    """Declare a use of data for the general interest."""
    require(actor, "registers.edit", organization)
    with transaction.atomic():
        usage = Usage(organization=organization)
        if "status" in fields:
            usage.status = fields.pop("status")
        _save(actor=actor, instance=usage, fields=fields, action="created")
        ledger.record(actor=actor, subject=usage, action="created")
    return usage


def update_usage(*, actor: Any, usage: Usage, **fields: Any) -> Usage:
    """Change a usage (results, status, links)."""
    require(actor, "registers.edit", usage)
    with transaction.atomic():
        if "status" in fields:
            usage.status = fields.pop("status")
        _save(actor=actor, instance=usage, fields=fields, action="updated")
        ledger.record(actor=actor, subject=usage, action="updated")
    return usage


def record_indicators(*, actor: Any, usage: Usage,
                      points: list[dict[str, Any]]) -> list[UsageIndicator]:
    """Add or correct measurements of a usage's indicators (name, unit, date, value)."""
    require(actor, "registers.edit", usage)
    saved = []
    with transaction.atomic():
        for i, point in enumerate(points):
            try:
                name = str(point["name"]).strip()
                date = point["date"]
                if isinstance(date, str):
                    date = datetime.date.fromisoformat(date)
                value = float(point["value"])
            except (KeyError, TypeError, ValueError) as exc:
                raise ValidationError({f"points[{i}]": _(
                    "Chaque mesure a un nom, une date (AAAA-MM-JJ) et une valeur numérique.")}
                ) from exc
            if not name or value != value:  # NaN is not a measurement
                raise ValidationError({f"points[{i}]": _("Nom ou valeur invalide.")})
            indicator, _created = UsageIndicator.objects.update_or_create(
                usage=usage, name=name[:200], date=date,
                defaults={"value": value, "unit": str(point.get("unit", ""))[:50]},
            )
            saved.append(indicator)
        ledger.record(actor=actor, subject=usage, action="indicators_recorded")
    return saved


# --- algorithms -----------------------------------------------------------------------

def _revise(actor: Any, algorithm: Algorithm, note: str, action: str) -> None:
    algorithm.version += 1
    algorithm.save(update_fields=["version"])
    AlgorithmRevision.objects.create(algorithm=algorithm, version=algorithm.version,
                                     snapshot=algorithm.public_payload(), note=note[:500])
    ledger.record(actor=actor, subject=algorithm, action=action)


def create_algorithm(*, actor: Any, organization: Any, note: str = "",
                     **fields: Any) -> Algorithm:
    """Register a public algorithm; version 1 of its public history."""
    require(actor, "registers.edit", organization)
    with transaction.atomic():
        algorithm = Algorithm(organization=organization)
        if "status" in fields:
            algorithm.status = fields.pop("status")
        _save(actor=actor, instance=algorithm, fields=fields, action="created")
        _revise(actor, algorithm, note or _("Première publication."), "created")
    return algorithm


def update_algorithm(*, actor: Any, algorithm: Algorithm, note: str = "",
                     **fields: Any) -> Algorithm:
    """Change an algorithm; every change adds a dated public revision."""
    require(actor, "registers.edit", algorithm)
    with transaction.atomic():
        if "status" in fields:
            algorithm.status = fields.pop("status")
        _save(actor=actor, instance=algorithm, fields=fields, action="updated")
        _revise(actor, algorithm, note, "updated")
    return algorithm


# --- impact assessments ------------------------------------------------------------

def create_impact_assessment(*, actor: Any, processing_activity: ProcessingActivity,
                             **fields: Any) -> ImpactAssessment:
    """Write a DPIA summary by hand (a draft until reviewed and published)."""
    require(actor, "registers.edit", processing_activity)
    with transaction.atomic():
        assessment = ImpactAssessment(organization=processing_activity.organization,
                                      processing_activity=processing_activity)
        # Drafts are internal: logged only when published.
        return _save(actor=actor, instance=assessment, fields=fields, action="created")


def import_pia(*, actor: Any, processing_activity: ProcessingActivity,
               document: Any) -> ImpactAssessment:
    """Import a CNIL PIA-tool JSON export as a draft DPIA summary of the processing activity."""
    require(actor, "registers.edit", processing_activity)
    summary = pia.parse(document)
    if not summary["context"]:
        summary["context"] = _("(contexte à compléter)")
    if not summary["necessity"]:
        summary["necessity"] = _("(nécessité et proportionnalité à compléter)")
    with transaction.atomic():
        assessment = ImpactAssessment(organization=processing_activity.organization,
                                      processing_activity=processing_activity,
                                      source="cnil_pia", source_document=document, **summary)
        assessment.full_clean()
        assessment.save()
    return assessment


def update_impact_assessment(*, actor: Any, assessment: ImpactAssessment,
                             **fields: Any) -> ImpactAssessment:
    """Edit the summary of a DPIA; editing a reviewed draft sends it back to review."""
    require(actor, "registers.edit", assessment)
    if assessment.status == ImpactAssessment.Status.PUBLISHED:
        raise ValidationError(_("Une analyse publiée ne se modifie plus : créez-en une nouvelle "
                                "version."))
    with transaction.atomic():
        assessment.status = ImpactAssessment.Status.DRAFT
        assessment.reviewed_at = None
        return _save(actor=actor, instance=assessment, fields=fields, action="updated")


def review_impact_assessment(*, actor: Any, assessment: ImpactAssessment) -> ImpactAssessment:
    """The DPO (or the organisation's administrator) approves the summary for publication."""
    require(actor, "registers.publish_assessment", assessment)
    if assessment.status != ImpactAssessment.Status.DRAFT:
        raise ValidationError(_("Seul un brouillon peut être relu."))
    with transaction.atomic():
        assessment.status = ImpactAssessment.Status.REVIEWED
        assessment.reviewed_at = timezone.now()
        assessment.save(update_fields=["status", "reviewed_at", "updated_at"])
    return assessment


def publish_impact_assessment(*, actor: Any, assessment: ImpactAssessment) -> ImpactAssessment:
    """Publish a reviewed DPIA summary; the date is logged (it must precede the processing)."""
    require(actor, "registers.publish_assessment", assessment)
    if assessment.status != ImpactAssessment.Status.REVIEWED:
        raise ValidationError(_("La synthèse doit être relue avant d’être publiée."))
    # A summary published after the processing started is still published, and the public
    # page says so (published_before_start), rather than hidden.
    with transaction.atomic():
        assessment.status = ImpactAssessment.Status.PUBLISHED
        assessment.published_at = timezone.now()
        assessment.save(update_fields=["status", "published_at", "updated_at"])
        ledger.record(actor=actor, subject=assessment, action="published")
    return assessment
