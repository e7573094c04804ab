"""Alerts, escalation, remediation, exclusion vote, evaluations, reminders and indicators."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from spld.charter import indicators, selectors, services
from spld.charter.lifecycle import IllegalTransition
from spld.charter.models import Alert, Evaluation, EvaluationReminder, IndicatorValue
from spld.ledger.models import LogEntry
from tests.charter.conftest import all_met, raise_alert

pytestmark = pytest.mark.django_db


def test_deadline_in_the_past_is_rejected(spld_admin, active):
    for deadline in (timezone.localdate(), timezone.localdate() - dt.timedelta(days=3), None):
        with pytest.raises(ValidationError) as exc:
            services.raise_alert(actor=spld_admin, membership=active, principle=6,
                                 facts="f", expected_remedy="r", deadline=deadline)
        assert "deadline" in exc.value.message_dict
    assert not Alert.objects.exists()
    active.refresh_from_db()
    assert active.status == "active"


def test_escalation_through_the_levels_and_remediation(spld_admin, editor, active):
    first = raise_alert(spld_admin, active)
    assert (first.level, active.status) == (1, "alert_1")
    services.answer_alert(actor=editor, alert=first, answer="Publication en cours.")
    second = raise_alert(spld_admin, active)
    first.refresh_from_db()
    assert first.status == "escalated" and second.level == 2 and active.status == "alert_2"
    services.remediate(actor=spld_admin, membership=active, reason="Analyse publiée.")
    second.refresh_from_db()
    assert second.status == "remedied" and active.status == "active"
    assert LogEntry.objects.filter(subject_type="charter_alert", action="remedied").exists()


def test_only_the_signatory_answers_and_not_twice_after_closing(spld_admin, citizen, editor,
                                                                active):
    alert = raise_alert(spld_admin, active)
    with pytest.raises(PermissionDenied):
        services.answer_alert(actor=citizen, alert=alert, answer="?")
    with pytest.raises(ValidationError):
        services.answer_alert(actor=editor, alert=alert, answer="   ")
    services.remediate(actor=spld_admin, membership=active, reason="ok")
    alert.refresh_from_db()
    with pytest.raises(ValidationError, match="n’attend plus"):
        services.answer_alert(actor=editor, alert=alert, answer="trop tard")


def test_no_fourth_level_and_no_remediation_when_active(spld_admin, final_notice, active):
    with pytest.raises(IllegalTransition):
        raise_alert(spld_admin, final_notice)
    services.remediate(actor=spld_admin, membership=final_notice, reason="Tout corrigé")
    with pytest.raises(IllegalTransition):
        services.remediate(actor=spld_admin, membership=final_notice, reason="encore")


def test_exclusion_needs_final_notice_and_a_majority(spld_admin, committee_member, active):
    with pytest.raises(IllegalTransition):
        services.exclude(actor=spld_admin, membership=active, decision="x", votes_for=5,
                         votes_against=0)
    for _ in range(3):
        raise_alert(spld_admin, active)
    with pytest.raises(ValidationError, match="n’a pas voté"):
        services.exclude(actor=spld_admin, membership=active, decision="x", votes_for=2,
                         votes_against=2)
    with pytest.raises(PermissionDenied):
        services.exclude(actor=committee_member, membership=active, decision="x", votes_for=5,
                         votes_against=0)
    exclusion = services.exclude(actor=spld_admin, membership=active, decision="Exclusion",
                                 votes_for=5, votes_against=1, abstentions=1)
    assert active.status == "excluded"
    assert exclusion.reapply_after == timezone.localdate() + dt.timedelta(days=365)
    assert active.alerts.filter(status="excluded").count() == 1
    assert "5 pour, 1 contre" in active.events.last().reason


def test_evaluation_once_per_year(spld_admin, dpo, active):
    year = timezone.localdate().year
    evaluation = services.submit_evaluation(actor=dpo, membership=active, year=year,
                                            answers=all_met(), summary="Bilan")
    assert set(evaluation.indicators) == {i.code for i in indicators.INDICATORS}
    with pytest.raises(ValidationError, match="deux fois") as exc:
        services.submit_evaluation(actor=dpo, membership=active, year=year, answers=all_met())
    assert exc.value.code == "duplicate"
    assert Evaluation.objects.count() == 1


def test_evaluation_bad_input(spld_admin, citizen, active):
    year = timezone.localdate().year
    with pytest.raises(PermissionDenied):
        services.submit_evaluation(actor=citizen, membership=active, year=year,
                                   answers=all_met())
    with pytest.raises(ValidationError) as exc:
        services.submit_evaluation(actor=spld_admin, membership=active, year=year + 1,
                                   answers={1: ("met", ""), 2: ("bogus", "")})
    assert {"year", "answers", "answers.2"} <= set(exc.value.message_dict)
    assert not Evaluation.objects.exists()


def test_overdue_evaluation_gets_a_reminder_then_an_alert(spld_admin, org_admin, active):
    year = timezone.localdate().year
    active.active_since = timezone.make_aware(dt.datetime(year - 2, 1, 1))
    active.save()
    due = selectors.evaluation_due_date(year - 1)
    assert due == dt.date(year, 3, 31)
    assert services.check_overdue_evaluations(actor=spld_admin, at_date=due) == {
        "reminders": 0, "alerts": 0}
    counts = services.check_overdue_evaluations(actor=spld_admin,
                                                at_date=due + dt.timedelta(days=1))
    assert counts == {"reminders": 1, "alerts": 0}
    assert mail.outbox and org_admin.email in mail.outbox[0].to
    # the same day again: nothing new
    assert services.check_overdue_evaluations(
        actor=spld_admin, at_date=due + dt.timedelta(days=1)) == {"reminders": 0, "alerts": 0}
    reminder = EvaluationReminder.objects.get()
    reminder.sent_at = timezone.make_aware(dt.datetime.combine(due, dt.time(12)))
    reminder.save()
    counts = services.check_overdue_evaluations(actor=spld_admin,
                                                at_date=due + dt.timedelta(days=40))
    assert counts == {"reminders": 0, "alerts": 1}
    active.refresh_from_db()
    alert = active.alerts.get()
    assert (alert.origin, alert.principle, active.status) == ("overdue_evaluation", 2, "alert_1")


def _dataset(org, slug, **fields):
    from spld.catalog.models import Dataset

    values = {"title": slug, "purpose": "Suivre le service.", "general_interest": "Oui",
              "retention_period": "5 ans", "status": "published", "access_level": "open"}
    values.update(fields)
    return Dataset.objects.create(slug=slug, publisher=org, **values)


def test_indicators_are_computed_from_the_catalogue(org, other_org):
    today = timezone.localdate()
    assert indicators.compute_all(org, today)["open_datasets"] is None  # nothing to measure
    _dataset(org, "a", schema={"fields": [{"name": "x"}]})
    _dataset(org, "b", access_level="shared", retention_period="")
    _dataset(org, "c", status="draft", access_level="restricted")
    _dataset(other_org, "d", access_level="restricted")
    values = indicators.compute_all(org, today)
    assert values["open_datasets"] == 50.0
    assert values["purpose_retention"] == 50.0
    assert values["schema_conformance"] == 50.0
    assert indicators.compute_all(org, today - dt.timedelta(days=1))["open_datasets"] is None


def test_missing_source_app_gives_none_not_an_error(org):
    assert indicators._model("participation", "Consultation") is None
    assert indicators._model("catalog", "NoSuchModel") is None
    broken = indicators.Indicator("x", 1, "x", "x", 50, lambda o, d: o.no_such_field, "x")
    with pytest.raises(AttributeError):
        broken.compute(org, timezone.localdate())


def test_indicator_under_threshold_twice_proposes_an_alert(spld_admin, active):
    today = timezone.localdate()
    for days in (60, 30):
        IndicatorValue.objects.create(organization=active.organization, code="open_datasets",
                                      at_date=today - dt.timedelta(days=days), value=20.0)
    proposals = services.propose_alerts_from_indicators(actor=spld_admin)
    assert len(proposals) == 1
    proposal = proposals[0]
    assert (proposal.status, proposal.principle, proposal.indicator_code) == (
        "proposed", 7, "open_datasets")
    assert not selectors.public_alerts().exists()  # a proposal is not public yet
    assert services.propose_alerts_from_indicators(actor=spld_admin) == []  # no duplicate
    services.confirm_proposal(actor=spld_admin, alert=proposal)
    active.refresh_from_db()
    assert active.status == "alert_1" and selectors.public_alerts().count() == 1


def test_record_indicator_values_keeps_a_history(spld_admin, active):
    today = timezone.localdate()
    n = services.record_indicator_values(actor=spld_admin, at_date=today)
    services.record_indicator_values(actor=spld_admin, at_date=today)  # idempotent per date
    assert n == len(indicators.INDICATORS)
    assert IndicatorValue.objects.count() == len(indicators.INDICATORS)
    card = selectors.scorecard(active.organization)
    assert [row.principle.number for row in card["rows"]] == list(range(1, 12))


def test_dpia_indicator_reads_the_registers(org, editor, dpo):
    import json
    from pathlib import Path

    from spld.registers import services as registers
    from tests.registers.conftest import processing_fields

    document = json.loads((Path(__file__).parents[1] / "registers" / "fixtures" /
                           "pia-example-2018-02-21.json").read_text(encoding="utf-8"))
    today = timezone.localdate()
    assert indicators.compute_all(org, today)["dpia_published"] is None
    registers.create_processing_activity(actor=editor, organization=org,
                                         **processing_fields())  # no DPIA needed: not counted
    activity = registers.create_processing_activity(
        actor=editor, organization=org,
        **processing_fields(name="Suivi", dpia_required=True, dpia_reason="Grande échelle"))
    assert indicators.compute_all(org, today)["dpia_published"] == 0.0
    assessment = registers.import_pia(actor=editor, processing_activity=activity,
                                      document=document)
    registers.review_impact_assessment(actor=dpo, assessment=assessment)
    registers.publish_impact_assessment(actor=dpo, assessment=assessment)
    assert indicators.compute_all(org, today)["dpia_published"] == 100.0
