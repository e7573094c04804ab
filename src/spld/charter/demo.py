"""Demo of the charter in action: versions, signatories in every state, alert cycles,
two years of evaluations, the committee, indicator history and last year's report.

Deterministic and idempotent; works whether or not the catalogue/registers demos ran before.
Past dates are set on the demo's own rows after the services ran (synthetic history).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from spld.charter import indicators as registry
from spld.charter import services
from spld.charter.lifecycle import S
from spld.charter.models import (
    AnnualReport,
    CharterVersion,
    CommitteeMeeting,
    CommitteeMember,
    Evaluation,
    IndicatorValue,
    Membership,
    MembershipEvent,
)
from spld.core.principles import PRINCIPLES
from spld.organizations.models import Organization

# slug → target status (the demo shows every status of the lifecycle)
PLAN: dict[str, str] = {
    "brest-metropole": S.ACTIVE,
    "ville-de-brest": S.ACTIVE,
    "eau-du-ponant": S.ACTIVE,  # alert cycle ending in remediation
    "chru-brest": S.ACTIVE,
    "operateur-bibus": S.ACTIVE,  # entered through its delegation contract
    "sotraval": S.ALERT_1,
    "brest-aim": S.ALERT_2,
    "brest-metropole-habitat": S.FINAL_NOTICE,
    "banque-regionale": S.EXCLUDED,  # alert cycle ending in exclusion
    "adeupa": S.UNDER_REVIEW,
    "maison-du-numerique": S.APPLIED,
    "ubo": S.WITHDRAWN,
}
EVALUATED = ("brest-metropole", "ville-de-brest", "eau-du-ponant", "chru-brest", "sotraval",
             "brest-aim")

PRACTICES = {
    1: "Nous appliquons la charte à nos prestataires : elle est annexée à nos nouveaux contrats.",
    2: "Un référent charte suit nos engagements et prépare l’auto-évaluation annuelle.",
    3: "Nous participons aux réunions du comité et répondons à ses demandes.",
    4: "Nous organisons deux ateliers par an pour expliquer nos données au public.",
    5: "Nous relayons les consultations sur la charte auprès de nos usagers.",
    6: "Notre registre des traitements est à jour et nos analyses d’impact sont publiées.",
    7: "Nos données non personnelles sont publiées sous licence ouverte.",
    8: "Chaque jeu de données indique sa finalité, sa durée de conservation et ses usages.",
    9: "Nos algorithmes sont décrits en langage clair, avec leurs paramètres.",
    10: "Nous utilisons les schémas nationaux de données quand ils existent.",
    11: "Nous supprimons les données inutiles et mesurons le stockage chaque année.",
}


def _d(days_ago: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days_ago)


def _backdate(membership: Membership, *, active_days: int | None, status_days: int) -> None:
    """Move the demo's history into the past so that two years of evaluations fit."""
    Membership.objects.filter(pk=membership.pk).update(
        status_since=_d(status_days),
        active_since=_d(active_days) if active_days is not None else None)
    events = list(MembershipEvent.objects.filter(membership=membership).order_by("at", "pk"))
    # Application 60 days before, the last step (activation) on the day itself.
    step = 60 // max(1, len(events) - 1)
    for i, event in enumerate(events):
        days = status_days if i == len(events) - 1 else status_days + 60 - i * step
        MembershipEvent.objects.filter(pk=event.pk).update(at=_d(days))
    membership.refresh_from_db()


def _exclusion_day() -> dt.date:
    """The committee voted the demo exclusion in November of last year."""
    return dt.date(timezone.localdate().year - 1, 11, 20)


def _at(day: tuple[int, int, int]) -> dt.datetime:
    return timezone.make_aware(dt.datetime(*day, 10, 0))


def _replay(membership: Membership, dates: dict[str, list[tuple[int, int, int]]]) -> None:
    """Put a demo alert cycle back in last year so that last year's report tells it."""
    from spld.charter.models import Alert

    seen: dict[str, int] = {}
    events = list(membership.events.order_by("at", "pk"))
    for event in events:
        n = seen.get(event.action, 0)
        seen[event.action] = n + 1
        if event.action in dates and n < len(dates[event.action]):
            event.at = _at(dates[event.action][n])
            MembershipEvent.objects.filter(pk=event.pk).update(at=event.at)
    escalations = [e for e in events if e.action in ("alert_raised", "alert_escalated",
                                                     "final_notice")]
    following = {e.pk: events[i + 1].at if i + 1 < len(events) else None
                 for i, e in enumerate(events)}
    alerts = membership.alerts.exclude(status__in=["proposed", "dismissed"]).order_by("level")
    for alert, event in zip(alerts, escalations, strict=False):
        Alert.objects.filter(pk=alert.pk).update(
            raised_at=event.at, deadline=event.at.date() + dt.timedelta(days=45),
            answered_at=event.at + dt.timedelta(days=7) if alert.answer else None,
            resolved_at=following[event.pk])
    activated = next((e.at for e in events if e.action == "activated"), None)
    Membership.objects.filter(pk=membership.pk).update(status_since=events[-1].at,
                                                       active_since=activated)
    membership.refresh_from_db()


def _activate(admin: Any, organization: Organization, **apply_kwargs: Any) -> Membership:
    membership = services.apply(actor=admin, organization=organization, **apply_kwargs)
    assessment = membership.assessments.get()
    for number, text in PRACTICES.items():
        answer = services.save_answer(actor=admin, assessment=assessment, principle=number,
                                      practice=text, responsible="Référent charte")
        if number == 6:
            services.add_evidence(actor=admin, answer=answer, label="Registre des traitements",
                                  url=f"https://{organization.slug}.example/registre")
    services.submit_assessment(actor=admin, assessment=assessment)
    services.decide(actor=admin, assessment=assessment, outcome="approved",
                    reasons="Capacité démontrée pour les onze principes.")
    membership.refresh_from_db()
    return membership


def _alert(admin: Any, membership: Membership, principle: int, facts: str, remedy: str) -> Any:
    return services.raise_alert(actor=admin, membership=membership, principle=principle,
                                facts=facts, expected_remedy=remedy,
                                deadline=timezone.localdate() + dt.timedelta(days=45))


def _versions(admin: Any) -> None:
    services.seed_first_version(actor=admin)
    if CharterVersion.objects.filter(number=2).exists():
        return
    services.adopt_version(
        actor=admin, adopted_on=dt.date(2025, 6, 30), adopted_by="Conseil de la métropole",
        changelog="Délais de réponse précisés (principe 6) ; sobriété mesurée (principe 11).",
        reasons="Le bilan annuel et la consultation des habitants ont montré que les "
                "engagements devaient être plus précis et vérifiables.",
        consultation_url="https://spld.example/participation/consultation-charte-2025",
        changes={
            6: {"body": "Les signataires respectent le RGPD et le droit français. Quand ils "
                        "traitent des données personnelles à grande échelle, ils publient leur "
                        "analyse d’impact avant le début du traitement. Ils répondent aux "
                        "demandes d’exercice de droits dans le délai légal d’un mois.",
                "change_reason": "Les habitants ont demandé un délai clair et une publication "
                                 "avant le traitement, pas après."},
            11: {"body": "On ne collecte, ne garde et ne traite que les données nécessaires. "
                         "Chaque signataire mesure une fois par an le volume qu’il stocke et "
                         "supprime ce qui a dépassé sa durée de conservation.",
                 "change_reason": "Rendre la sobriété mesurable : un engagement sans mesure "
                                  "ne peut pas être évalué."},
        })


def _committee(admin: Any) -> CommitteeMeeting | None:
    from spld.accounts.models import User

    if not CommitteeMember.objects.exists():
        user = User.objects.filter(email="comite@spld.example").first()
        start, end = dt.date(2024, 1, 1), dt.date(2027, 12, 31)
        for name, college, who in [("Camille Comité", "citizens", user),
                                   ("Élue référente (fictive)", "elected", None),
                                   ("Chercheuse en éthique (fictive)", "experts", None),
                                   ("Représentant des signataires (fictif)", "signatories",
                                    None)]:
            services.add_committee_member(actor=admin, name=name, college=college,
                                          mandate_start=start, mandate_end=end, user=who)
    meeting = CommitteeMeeting.objects.order_by("date").first()
    if meeting is None:
        meeting = services.schedule_meeting(
            actor=admin, date=_exclusion_day(),
            title="Séance de suivi des alertes",
            agenda="1. Alertes en cours.\n2. Mise en demeure de la banque.\n3. Rapport annuel.")
        services.record_minutes(
            actor=admin, meeting=meeting,
            minutes="Le comité a examiné les alertes en cours et voté l’exclusion de la banque "
                    "(5 voix pour, 1 contre, 1 abstention).")
    return meeting


def _indicator_history(organizations: list[Organization]) -> None:
    """Quarterly synthetic history for the past two years, then today's computed values."""
    today = timezone.localdate()
    rows = []
    for organization in organizations:
        seed = int(hashlib.sha256(organization.slug.encode()).hexdigest()[:8], 16)
        for quarter in range(8, 0, -1):
            at = today - dt.timedelta(days=91 * quarter)
            for k, indicator in enumerate(registry.INDICATORS):
                value = min(100.0, indicator.threshold + 2 + (seed >> k) % 12 + (8 - quarter))
                if organization.slug == "sotraval" and indicator.code == "open_datasets":
                    value = 55.0 - 4 * (8 - quarter)  # slides under its threshold of 50 %
                rows.append(IndicatorValue(organization=organization, code=indicator.code,
                                           at_date=at, value=float(value)))
    # Existing (organisation, code, date) rows are kept: the demo stays idempotent.
    IndicatorValue.objects.bulk_create(rows, ignore_conflicts=True)


def measure_today(admin: Any, progress: Callable[[str], None]) -> None:
    """Today's indicator values from the registers as they are, then proposals and reminders."""
    services.record_indicator_values(actor=admin)
    services.propose_alerts_from_indicators(actor=admin)
    services.check_overdue_evaluations(actor=admin)
    progress("charte : indicateurs du jour mesurés")


def load(admin: Any, progress: Callable[[str], None]) -> None:
    """Load the charter demo (skips what exists)."""
    _versions(admin)
    meeting = _committee(admin)
    orgs = {o.slug: o for o in Organization.objects.filter(slug__in=PLAN)}
    today = timezone.localdate()
    year = today.year
    for slug, target in PLAN.items():
        organization = orgs.get(slug)
        if organization is None or Membership.objects.filter(organization=organization).exists():
            continue
        if target == S.APPLIED:
            services.apply(actor=admin, organization=organization,
                           motivation="Nous voulons rendre compte de nos données.")
            continue
        if target == S.UNDER_REVIEW:
            membership = services.apply(actor=admin, organization=organization,
                                        motivation="Adhésion volontaire de l’agence.")
            assessment = membership.assessments.get()
            for number, text in PRACTICES.items():
                services.save_answer(actor=admin, assessment=assessment, principle=number,
                                     practice=text, responsible="Direction")
            services.submit_assessment(actor=admin, assessment=assessment)
            services.add_review_comment(actor=admin, assessment=assessment, principle=9,
                                        body="Précisez comment vos modèles sont expliqués.",
                                        requests_change=True)
            continue
        kwargs: dict[str, Any] = {"motivation": "Engagement de la direction générale."}
        if slug == "operateur-bibus":
            kwargs = {"route": "contract", "contract_kind": "delegation",
                      "contract_reference": "DSP-TRANSPORTS-2024-01",
                      "contract_start": dt.date(2024, 1, 1),
                      "contract_end": dt.date(2031, 12, 31),
                      "contracting_authority": orgs.get("brest-metropole")
                      or Organization.objects.get(slug="brest-metropole")}
        membership = _activate(admin, organization, **kwargs)
        # The transport operator joined last year with its new contract; the others earlier.
        start = dt.date(year - 1, 3, 1) if slug == "operateur-bibus" else dt.date(year - 2, 2, 1)
        _backdate(membership, active_days=(today - start).days, status_days=(today - start).days)
        if slug in EVALUATED:
            for y in (year - 2, year - 1):
                if slug == "sotraval" and y == year - 1:
                    continue  # overdue: reminded below
                levels = {p.number: ("met" if (p.number + y) % 4 else "partial",
                                     "Voir nos registres publics.") for p in PRINCIPLES}
                evaluation = services.submit_evaluation(
                    actor=admin, membership=membership, year=y, answers=levels,
                    summary=f"Auto-évaluation {y} : engagements tenus pour l’essentiel.")
                Evaluation.objects.filter(pk=evaluation.pk).update(
                    submitted_at=timezone.make_aware(dt.datetime(y + 1, 3, 1, 10)))
        if slug == "eau-du-ponant":
            alert = _alert(admin, membership, 8,
                           "Trois usages en service ne publient pas leurs résultats.",
                           "Publier les résultats obtenus de ces usages.")
            services.answer_alert(actor=admin, alert=alert,
                                  answer="Les résultats sont désormais publiés au registre.")
            services.remediate(actor=admin, membership=membership,
                               reason="Résultats publiés : manquement corrigé.")
            _replay(membership, {"applied": [(year - 2, 1, 10)], "review_started": [
                (year - 2, 1, 20)], "activated": [(year - 2, 2, 1)], "alert_raised": [
                (year - 1, 5, 10)], "remediated": [(year - 1, 6, 16)]})
        levels_needed = {S.ALERT_1: 1, S.ALERT_2: 2, S.FINAL_NOTICE: 3, S.EXCLUDED: 3}
        for n in range(levels_needed.get(target, 0)):
            alert = _alert(admin, membership, 6 if n < 2 else 2,
                           f"Analyse d’impact non publiée pour un traitement à grande échelle "
                           f"(constat n° {n + 1}).",
                           "Publier l’analyse d’impact au registre.")
            if n == 0:
                services.answer_alert(actor=admin, alert=alert,
                                      answer="Nous préparons la publication.")
        if target == S.EXCLUDED:
            services.exclude(actor=admin, membership=membership,
                             decision="Aucune correction après la mise en demeure : exclusion.",
                             votes_for=5, votes_against=1, abstentions=1,
                             decided_on=_exclusion_day(), meeting=meeting)
            _replay(membership, {"applied": [(year - 2, 1, 12)], "review_started": [
                (year - 2, 1, 22)], "activated": [(year - 2, 2, 1)], "alert_raised": [
                (year - 1, 3, 2)], "alert_escalated": [(year - 1, 6, 2)], "final_notice": [
                (year - 1, 9, 1)], "excluded": [(year - 1, 11, 20)]})
        if target == S.WITHDRAWN:
            services.withdraw(actor=admin, membership=membership,
                              reason="L’université rejoindra la charte par la convention "
                                     "régionale en préparation.")
        progress(f"charte : {organization.name} → {target}")
    signatory_orgs = [m.organization for m in Membership.objects.select_related("organization")
                      .filter(status__in=[S.ACTIVE, S.ALERT_1, S.ALERT_2, S.FINAL_NOTICE])]
    _indicator_history(signatory_orgs)
    # Measured again (and announced) by the last loader, once every app's demo exists.
    measure_today(admin, lambda _msg: None)
    if meeting is not None and not meeting.opinions.exists():
        excluded = Membership.objects.filter(status=S.EXCLUDED).first()
        if excluded is not None:
            services.publish_opinion(
                actor=admin, subject_kind="membership", membership=excluded, meeting=meeting,
                title="Avis sur l’exclusion de la banque",
                body="Le comité constate que les alertes sont restées sans effet. Il recommande "
                     "d’accompagner plus tôt les signataires privés.",
                issued_on=meeting.date)
        services.publish_opinion(
            actor=admin, subject_kind="algorithm", subject_ref="attribution-logement-social",
            meeting=meeting, title="Avis sur l’algorithme d’aide à l’attribution des logements",
            body="L’explication est claire. Le comité demande de publier le taux de décisions "
                 "humaines qui s’écartent du score.", issued_on=meeting.date)
    last_year = year - 1
    if not AnnualReport.objects.filter(year=last_year).exists():
        report = services.generate_annual_report(
            actor=admin, year=last_year,
            introduction="Ce rapport dit ce qui s’est passé pendant l’année. Il est écrit pour "
                         "tous. Les chiffres viennent des registres publics.",
            recommendations="Publier les analyses d’impact avant le début des traitements. "
                            "Aider plus tôt les signataires en alerte. Mesurer le stockage "
                            "chaque année.")
        services.publish_annual_report(actor=admin, report=report)
    progress("charte : signataires, alertes, comité, rapport annuel")
