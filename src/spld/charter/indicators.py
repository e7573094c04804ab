"""Indicators computed from the registers, so that evaluations do not rest on declarations alone.

Each indicator reads another app only through read-only queries on its models, imported
lazily; when that app is not installed (or its tables are not there yet) it returns None,
which the pages show as « pas encore mesurable » rather than as a failure.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldError
from django.db import DatabaseError
from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from spld.charter.lifecycle import evaluation_due_date

Compute = Callable[[Any, dt.date], "float | None"]


@dataclass(frozen=True)
class Indicator:
    """A public indicator: code, principle, definition, threshold (percent) and its formula."""

    code: str
    principle: int
    label: Promise
    definition: Promise
    threshold: float
    compute: Compute
    source: str  # the app the value comes from, for "not measurable yet"

    def is_below(self, value: float | None) -> bool:
        """True when a measured value misses the threshold."""
        return value is not None and value < self.threshold


def _model(app_label: str, name: str) -> Any:
    if not apps.is_installed(f"spld.{app_label}"):
        return None
    try:
        return apps.get_model(app_label, name)
    except LookupError:
        return None


def _end_of(at_date: dt.date) -> dt.datetime:
    from django.utils import timezone

    return timezone.make_aware(dt.datetime.combine(at_date, dt.time.max))


def _percent(total_qs: Any, good: Q | None = None, good_qs: Any = None) -> float | None:
    """Share in percent of `good` rows among `total_qs`; None when there is nothing to measure."""
    try:
        total = total_qs.count()
        if not total:
            return None
        good_count = good_qs.count() if good_qs is not None else total_qs.filter(good).count()
    except (FieldError, DatabaseError, ValueError):
        # The other app changed its fields or has no table yet: not measurable, not an error.
        return None
    return round(100.0 * good_count / total, 1)


def _published_datasets(organization: Any, at_date: dt.date) -> Any:
    Dataset = _model("catalog", "Dataset")
    if Dataset is None:
        return None
    return Dataset.objects.filter(publisher=organization, status="published",
                                  created_at__lte=_end_of(at_date))


def open_datasets(organization: Any, at_date: dt.date) -> float | None:
    """Share of the organisation's published datasets that are open to all."""
    qs = _published_datasets(organization, at_date)
    return None if qs is None else _percent(qs, Q(access_level="open"))


def purpose_and_retention(organization: Any, at_date: dt.date) -> float | None:
    """Share of published datasets stating both their purpose and their retention period."""
    qs = _published_datasets(organization, at_date)
    if qs is None:
        return None
    return _percent(qs, ~Q(purpose="") & ~Q(retention_period=""))


def schema_conformance(organization: Any, at_date: dt.date) -> float | None:
    """Share of published datasets that declare a Table Schema or a reference schema."""
    qs = _published_datasets(organization, at_date)
    if qs is None:
        return None
    return _percent(qs, (Q(schema__isnull=False) & ~Q(schema={})) | ~Q(conforms_to=""))


def dpia_published(organization: Any, at_date: dt.date) -> float | None:
    """Share of processing activities requiring a DPIA that have a published one."""
    Activity = _model("registers", "ProcessingActivity")
    if Activity is None:
        return None
    qs = Activity.objects.filter(organization=organization, dpia_required=True,
                                 created_at__lte=_end_of(at_date))
    good = qs.filter(impact_assessments__status="published",
                     impact_assessments__published_at__lte=_end_of(at_date)).distinct()
    return _percent(qs, good_qs=good)


def algorithms_explained(organization: Any, at_date: dt.date) -> float | None:
    """Share of algorithms in service whose explanation is complete."""
    Algorithm = _model("registers", "Algorithm")
    if Algorithm is None:
        return None
    qs = Algorithm.objects.filter(organization=organization, created_at__lte=_end_of(at_date)
                                  ).exclude(status="retired")
    complete = ~Q(description="") & ~Q(purpose="") & ~Q(operations="") & \
        ~Q(human_oversight="") & ~Q(redress="") & ~Q(risks="") & ~Q(data_sources="")
    return _percent(qs, complete)


def usage_results(organization: Any, at_date: dt.date) -> float | None:
    """Share of usages in service or ended that publish their actual results."""
    Usage = _model("registers", "Usage")
    if Usage is None:
        return None
    qs = Usage.objects.filter(organization=organization, created_at__lte=_end_of(at_date),
                              status__in=["in_production", "ended"])
    return _percent(qs, ~Q(actual_results=""))


def rights_on_time(organization: Any, at_date: dt.date) -> float | None:
    """Share of rights requests due by that date that were answered by their deadline."""
    Part = _model("rights", "RequestPart")
    if Part is None:
        return None
    try:
        parts = list(Part.objects.filter(organization=organization, due_on__lte=at_date)
                     .values_list("due_on", "extended_due_on", "answered_at"))
    except (FieldError, DatabaseError):
        return None
    from django.utils import timezone

    due = [(ext or d, ans) for d, ext, ans in parts if (ext or d) <= at_date]
    if not due:
        return None
    on_time = sum(1 for deadline, ans in due
                  if ans is not None and timezone.localdate(ans) <= deadline)
    return round(100.0 * on_time / len(due), 1)


def evaluation_on_time(organization: Any, at_date: dt.date) -> float | None:
    """100 when last year's self-evaluation was filed by its due date, 0 otherwise."""
    year = at_date.year - 1
    membership = getattr(organization, "charter_membership", None)
    if membership is None or membership.active_since is None:
        return None
    if membership.active_since.date() > dt.date(year, 12, 31):
        return None  # not yet a signatory during that year
    due = evaluation_due_date(year)
    if at_date < due:
        return None
    evaluation = membership.evaluations.filter(year=year).first()
    if evaluation is None:
        return 0.0
    return 100.0 if evaluation.submitted_at.date() <= due else 0.0


INDICATORS: tuple[Indicator, ...] = (
    Indicator("evaluation_on_time", 2, _("Auto-évaluation rendue à temps"),
              _("Vaut 100 si l’auto-évaluation de l’année précédente a été transmise avant "
                "l’échéance, 0 sinon."), 100, evaluation_on_time, "charter"),
    Indicator("dpia_published", 6, _("Analyses d’impact publiées"),
              _("Part des traitements de données personnelles qui exigent une analyse d’impact "
                "et dont l’analyse est publiée."), 100, dpia_published, "registers"),
    Indicator("rights_on_time", 6, _("Demandes de droits traitées à temps"),
              _("Part des demandes d’exercice de droits arrivées à échéance qui ont reçu une "
                "réponse dans le délai."), 90, rights_on_time, "rights"),
    Indicator("open_datasets", 7, _("Données ouvertes"),
              _("Part des jeux de données publiés par l’organisation qui sont ouverts à tous."),
              50, open_datasets, "catalog"),
    Indicator("purpose_retention", 8, _("Finalité et durée de conservation indiquées"),
              _("Part des jeux de données publiés qui indiquent à la fois leur finalité et leur "
                "durée de conservation (principes 8 et 11)."), 90, purpose_and_retention,
              "catalog"),
    Indicator("usage_results", 8, _("Résultats des usages publiés"),
              _("Part des usages en service ou terminés dont les résultats obtenus sont "
                "publiés."), 50, usage_results, "registers"),
    Indicator("algorithms_explained", 9, _("Algorithmes expliqués"),
              _("Part des algorithmes (hors retirés) dont l’explication est complète : "
                "description, objectif, opérations, données, risques, intervention humaine et "
                "recours."), 100, algorithms_explained, "registers"),
    Indicator("schema_conformance", 10, _("Données décrites par un schéma"),
              _("Part des jeux de données publiés qui suivent un schéma de données déclaré."),
              50, schema_conformance, "catalog"),
)
BY_CODE: dict[str, Indicator] = {i.code: i for i in INDICATORS}


def for_principle(number: int) -> list[Indicator]:
    """Indicators attached to a principle."""
    return [i for i in INDICATORS if i.principle == number]


def compute(indicator: Indicator, organization: Any, at_date: dt.date) -> float | None:
    """One indicator's value; None when its source cannot be read (never an exception)."""
    try:
        return indicator.compute(organization, at_date)
    except (FieldError, LookupError, ValueError, TypeError):
        # A source app in flux must not break evaluations: the value is "not measurable".
        return None


def compute_all(organization: Any, at_date: dt.date) -> dict[str, float | None]:
    """Every indicator's value for an organisation at a date."""
    return {i.code: compute(i, organization, at_date) for i in INDICATORS}
