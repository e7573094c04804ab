"""The annual report: facts of the year, indicator charts, plain-French prose, HTML and PDF."""

from __future__ import annotations

import datetime as dt
import statistics
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldError
from django.db import DatabaseError
from django.template.loader import render_to_string
from django.utils import timezone

from spld.charter import charts
from spld.charter import indicators as registry
from spld.charter.models import (
    Alert,
    AnnualReport,
    CommitteeMeeting,
    Evaluation,
    Exclusion,
    IndicatorValue,
    MembershipEvent,
    Opinion,
)
from spld.core.principles import PRINCIPLES

# Flesch reading ease (French adaptation): 60 and above reads easily for a general audience.
READABILITY_TARGET = 60.0


def _bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime(year, 1, 1))
    return start, timezone.make_aware(dt.datetime(year + 1, 1, 1))


def _count(app_label: str, model: str, **filters: Any) -> int | None:
    """Rows of another app's model, or None when that app is not there (yet)."""
    if not apps.is_installed(f"spld.{app_label}"):
        return None
    try:
        return int(apps.get_model(app_label, model).objects.filter(**filters).count())
    except (LookupError, FieldError, DatabaseError, ValueError):
        return None


def build_facts(year: int) -> dict[str, Any]:
    """Everything that happened in `year`, as JSON-ready values (None = not tracked yet)."""
    start, end = _bounds(year)
    in_year = {"at__gte": start, "at__lt": end}
    events = MembershipEvent.objects.filter(**in_year).select_related("membership__organization")

    def orgs(action: str) -> list[str]:
        return sorted({e.membership.organization.name for e in events if e.action == action})

    alerts = Alert.objects.filter(raised_at__gte=start, raised_at__lt=end).exclude(
        status__in=[Alert.Status.PROPOSED, Alert.Status.DISMISSED])
    exclusions = Exclusion.objects.filter(decided_on__year=year).select_related(
        "membership__organization")
    indicator_rows = []
    for indicator in registry.INDICATORS:
        last_by_org: dict[int, float] = {}
        for org_id, value in (IndicatorValue.objects.filter(
                code=indicator.code, at_date__year=year, value__isnull=False)
                .order_by("at_date").values_list("organization_id", "value")):
            last_by_org[org_id] = value
        mean = round(statistics.fmean(last_by_org.values()), 1) if last_by_org else None
        below = sum(1 for v in last_by_org.values() if v < indicator.threshold)
        indicator_rows.append({
            "code": indicator.code, "principle": indicator.principle,
            "label": str(indicator.label), "threshold": indicator.threshold, "mean": mean,
            "organizations": len(last_by_org), "below": below,
        })
    return {
        "year": year,
        "new_signatories": orgs("activated"),
        "applications": len(orgs("applied")) + len(orgs("reapplied")),
        "withdrawals": orgs("withdrawn"),
        "remediations": orgs("remediated"),
        "exclusions": [{"organization": x.membership.organization.name,
                        "decided_on": x.decided_on.isoformat(), "votes_for": x.votes_for,
                        "votes_against": x.votes_against, "abstentions": x.abstentions}
                       for x in exclusions],
        "alerts": {"total": alerts.count(),
                   "by_level": {str(n): alerts.filter(level=n).count() for n in (1, 2, 3)}},
        "evaluations": Evaluation.objects.filter(year=year).count(),
        "datasets_published": _count("catalog", "Dataset", status="published",
                                     issued__gte=start, issued__lt=end),
        "usages": _count("registers", "Usage", created_at__gte=start, created_at__lt=end),
        "usages_with_results": _count("registers", "Usage", created_at__gte=start,
                                      created_at__lt=end, actual_results__gt=""),
        "algorithms": _count("registers", "Algorithm", created_at__gte=start,
                             created_at__lt=end),
        "impact_assessments": _count("registers", "ImpactAssessment", status="published",
                                     published_at__gte=start, published_at__lt=end),
        "data_flows": _count("registers", "DataFlow", created_at__gte=start, created_at__lt=end),
        "rights_requests": _count("rights", "RequestPart", due_on__year=year),
        "consultations": _count("participation", "Consultation", created_at__gte=start,
                                created_at__lt=end),
        "indicators": indicator_rows,
        "opinions": [{"title": o.title, "issued_on": o.issued_on.isoformat(),
                      "subject": o.get_subject_kind_display(), "body": o.body}
                     for o in Opinion.objects.filter(issued_on__year=year)],
        "meetings": CommitteeMeeting.objects.filter(date__year=year).count(),
    }


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n <= 1 else many}"


def prose(facts: dict[str, Any]) -> list[str]:
    """Short plain-French sentences summing up the year (what the readability score reads)."""
    year = facts["year"]
    lines = []
    new = facts["new_signatories"]
    if new:
        lines.append(f"En {year}, {_plural(len(new), 'organisation a', 'organisations ont')} "
                     f"rejoint la charte : {', '.join(new)}.")
    else:
        lines.append(f"En {year}, aucune organisation n’a rejoint la charte.")
    total = facts["alerts"]["total"]
    lines.append(f"Le comité et l’équipe ont émis {_plural(total, 'alerte', 'alertes')}."
                 if total else "Aucune alerte n’a été émise.")
    if facts["remediations"]:
        lines.append("Ces signataires ont corrigé leurs manquements : "
                     f"{', '.join(facts['remediations'])}.")
    if facts["exclusions"]:
        names = ", ".join(x["organization"] for x in facts["exclusions"])
        lines.append(f"Le comité a voté l’exclusion de : {names}.")
    else:
        lines.append("Aucune organisation n’a été exclue.")
    evaluations = _plural(facts["evaluations"], "auto-évaluation", "auto-évaluations")
    lines.append(f"Nous avons reçu {evaluations} pour cette année." if facts["evaluations"]
                 else "Nous n’avons reçu aucune auto-évaluation pour cette année.")
    published = facts["datasets_published"]
    if published is not None:
        lines.append("Aucun jeu de données n’a été publié." if not published
                     else f"{published} jeu de données a été publié." if published == 1
                     else f"{published} jeux de données ont été publiés.")
    measured = [r for r in facts["indicators"] if r["mean"] is not None]
    if not measured:
        lines.append("Aucun indicateur n’a pu être mesuré cette année.")
    return lines


def readability(text: str) -> float | None:
    """Flesch reading ease with the French formula (textstat); None for an empty text."""
    if not text.strip():
        return None
    import textstat

    textstat.set_lang("fr")
    return round(float(textstat.flesch_reading_ease(text)), 1)


def readability_text(report: AnnualReport, facts: dict[str, Any]) -> str:
    """The prose the score is computed on: introduction, generated sentences, recommendations."""
    return "\n".join([report.introduction, *prose(facts), report.recommendations])


def indicator_chart(facts: dict[str, Any]) -> str:
    """SVG bar chart of the yearly mean of each indicator, with its threshold."""
    rows = facts["indicators"]
    return charts.bar_chart(
        [f"P{r['principle']} · {r['label']}" for r in rows], [r["mean"] for r in rows],
        threshold=[r["threshold"] for r in rows],
        title=f"Indicateurs {facts['year']} : moyenne des signataires (trait orange = seuil)")


def activity_chart(facts: dict[str, Any]) -> str:
    """SVG bar chart of the year's activity counts."""
    items = [("Nouveaux signataires", len(facts["new_signatories"])),
             ("Alertes", facts["alerts"]["total"]),
             ("Exclusions", len(facts["exclusions"])),
             ("Auto-évaluations", facts["evaluations"]),
             ("Avis du comité", len(facts["opinions"]))]
    top = max([v for _, v in items] + [1])
    return charts.bar_chart([k for k, _ in items], [v for _, v in items],
                            title=f"L’année {facts['year']} en chiffres", unit="",
                            max_value=top)


def context(report: AnnualReport) -> dict[str, Any]:
    """Template context shared by the web page and the PDF."""
    facts = report.facts or build_facts(report.year)
    principles = {p.number: p for p in PRINCIPLES}
    indicator_rows = [{**r, "principle_title": principles[r["principle"]].title}
                      for r in facts["indicators"]]
    return {
        "report": report, "facts": facts, "prose": prose(facts),
        "indicator_rows": indicator_rows,
        "indicator_chart": charts.data_uri(indicator_chart(facts)),
        "activity_chart": charts.data_uri(activity_chart(facts)),
        "readability_target": READABILITY_TARGET,
        "empty_year": not (facts["new_signatories"] or facts["alerts"]["total"]
                           or facts["evaluations"] or facts["exclusions"] or facts["opinions"]),
    }


def render_pdf(report: AnnualReport) -> bytes:
    """The report as a PDF (WeasyPrint), charts embedded as SVG."""
    import logging

    from weasyprint import HTML

    # WeasyPrint logs every layout step at INFO; only its warnings matter here.
    for name in ("weasyprint", "weasyprint.progress"):
        logging.getLogger(name).setLevel(logging.WARNING)
    html = render_to_string("charter/report_pdf.html", context(report))
    return bytes(HTML(string=html).write_pdf())
