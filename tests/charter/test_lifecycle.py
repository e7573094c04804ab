"""The membership state machine, capacity review and the log of every transition."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from spld.charter import lifecycle, services
from spld.charter.lifecycle import IllegalTransition
from spld.charter.models import CapacityAssessment, Membership, MembershipEvent
from spld.ledger.models import LogEntry
from tests.charter.conftest import activate, answer_all
from tests.factories import make_organization

pytestmark = pytest.mark.django_db


def test_every_status_is_reachable_and_excluded_only_leaves_by_reapplying():
    reachable = {t.target for t in lifecycle.TRANSITIONS} | {"applied"}
    assert reachable == set(Membership.Status.values)
    assert lifecycle.allowed_targets("excluded") == ["applied"]
    with pytest.raises(IllegalTransition) as exc:
        lifecycle.find("excluded", "active")
    assert exc.value.allowed == ["applied"]
    assert "applied" in exc.value.messages[0]


def test_apply_submit_decide_activates_and_logs_each_step(spld_admin, org, version_one):
    before = LogEntry.objects.count()
    membership = services.apply(actor=spld_admin, organization=org, motivation="Pour la donnée")
    assert membership.status == "applied" and membership.active_since is None
    answer_all(spld_admin, membership)
    assessment = membership.assessments.get()
    services.submit_assessment(actor=spld_admin, assessment=assessment)
    assert Membership.objects.get(pk=membership.pk).status == "under_review"
    services.decide(actor=spld_admin, assessment=assessment, outcome="approved",
                    reasons="Capacité démontrée.")
    membership.refresh_from_db()
    assert membership.status == "active" and membership.active_since is not None
    assert membership.charter_version == version_one
    actions = list(membership.events.values_list("action", flat=True))
    assert actions == ["applied", "review_started", "activated"]
    assert all(e.reason and e.author_label for e in membership.events.all())
    logged = set(LogEntry.objects.filter(index__gte=before).values_list("subject_type", "action"))
    assert ("charter_membership_event", "activated") in logged
    assert ("charter_capacity_decision", "approved") in logged


def test_no_activation_without_a_recorded_decision(spld_admin, org, version_one):
    membership = services.apply(actor=spld_admin, organization=org)
    answer_all(spld_admin, membership)
    services.submit_assessment(actor=spld_admin, assessment=membership.assessments.get())
    with pytest.raises(ValidationError, match="décision"):
        services.change_status(actor=spld_admin, membership=membership, target="active",
                               reason="Raccourci")
    assert Membership.objects.get(pk=membership.pk).status == "under_review"


def test_submit_requires_every_principle(spld_admin, org, version_one):
    membership = services.apply(actor=spld_admin, organization=org)
    assessment = membership.assessments.get()
    services.save_answer(actor=spld_admin, assessment=assessment, principle=1, practice="x",
                         responsible="DPO")
    with pytest.raises(ValidationError, match="2, 3"):
        services.submit_assessment(actor=spld_admin, assessment=assessment)
    assert Membership.objects.get(pk=membership.pk).status == "applied"


def test_changes_requested_opens_a_new_round_with_the_answers(spld_admin, committee_member,
                                                              org, version_one):
    membership = services.apply(actor=spld_admin, organization=org)
    answer_all(spld_admin, membership)
    first = membership.assessments.get()
    services.submit_assessment(actor=spld_admin, assessment=first)
    services.add_review_comment(actor=committee_member, assessment=first, principle=9,
                                body="Précisez l’explication des algorithmes.",
                                requests_change=True)
    services.decide(actor=spld_admin, assessment=first, outcome="changes_requested",
                    reasons="Principe 9 à compléter.")
    membership.refresh_from_db()
    assert membership.status == "applied"
    second = membership.assessments.order_by("-round").first()
    assert second.round == 2 and second.status == CapacityAssessment.Status.CHANGES_REQUESTED
    assert second.answers.count() == 11
    with pytest.raises(ValidationError):  # a decided round cannot be decided again
        services.decide(actor=spld_admin, assessment=first, outcome="approved", reasons="x")


def test_committee_may_comment_but_not_decide(committee_member, spld_admin, org, version_one):
    membership = services.apply(actor=spld_admin, organization=org)
    answer_all(spld_admin, membership)
    services.submit_assessment(actor=spld_admin, assessment=membership.assessments.get())
    with pytest.raises(PermissionDenied):
        services.decide(actor=committee_member, assessment=membership.assessments.get(),
                        outcome="approved", reasons="ok")


def test_permission_matrix_for_applying(org, org_admin, editor, citizen, version_one):
    with pytest.raises(PermissionDenied):
        services.apply(actor=editor, organization=org)
    with pytest.raises(PermissionDenied):
        services.apply(actor=citizen, organization=org)
    membership = services.apply(actor=org_admin, organization=org)
    assert membership.events.get().author_label == org.name
    with pytest.raises(ValidationError, match="déjà"):
        services.apply(actor=org_admin, organization=org)


def test_contract_route_needs_its_reference_dates_and_authority(spld_admin, org, other_org,
                                                                version_one):
    with pytest.raises(ValidationError) as exc:
        services.apply(actor=spld_admin, organization=org, route="contract")
    assert {"contract_kind", "contract_reference", "contract_start",
            "contracting_authority"} <= set(exc.value.message_dict)
    with pytest.raises(ValidationError) as exc:
        services.apply(actor=spld_admin, organization=org, route="contract",
                       contract_kind="delegation", contract_reference="DSP-1",
                       contract_start=dt.date(2025, 1, 1), contract_end=dt.date(2024, 1, 1),
                       contracting_authority=other_org)
    assert "contract_end" in exc.value.message_dict
    assert not Membership.objects.exists()
    membership = services.apply(actor=spld_admin, organization=org, route="contract",
                                contract_kind="delegation", contract_reference="DSP-1",
                                contract_start=dt.date(2025, 1, 1),
                                contracting_authority=other_org)
    assert membership.public_payload()["contracting_authority"] == other_org.slug


def test_withdraw_by_the_signatory_and_reapply(org_admin, editor, spld_admin, org, version_one):
    membership = activate(spld_admin, org)
    with pytest.raises(PermissionDenied):
        services.withdraw(actor=editor, membership=membership, reason="non")
    with pytest.raises(ValidationError):
        services.withdraw(actor=org_admin, membership=membership, reason="  ")
    services.withdraw(actor=org_admin, membership=membership, reason="Fin d’activité")
    assert membership.status == "withdrawn"
    services.apply(actor=org_admin, organization=org, motivation="Retour")
    membership.refresh_from_db()
    assert membership.status == "applied"
    assert membership.assessments.count() == 2


def test_reapplication_after_exclusion_waits_for_the_delay(spld_admin, final_notice, settings):
    settings.CHARTER_REAPPLY_DELAY_DAYS = 30
    services.exclude(actor=spld_admin, membership=final_notice, decision="Exclu",
                     votes_for=4, votes_against=1)
    with pytest.raises(ValidationError, match="ne peut pas candidater avant") as exc:
        services.reapply(actor=spld_admin, membership=final_notice, reason="Corrigé")
    assert exc.value.code == "reapply_too_early"
    assert Membership.objects.get(pk=final_notice.pk).status == "excluded"
    exclusion = final_notice.exclusions.get()
    exclusion.reapply_after = timezone.localdate()
    exclusion.save()
    services.reapply(actor=spld_admin, membership=final_notice, reason="Corrigé")
    assert Membership.objects.get(pk=final_notice.pk).status == "applied"


def test_excluded_to_active_is_rejected_with_the_allowed_list(spld_admin, final_notice):
    services.exclude(actor=spld_admin, membership=final_notice, decision="Exclu",
                     votes_for=4, votes_against=1)
    events = MembershipEvent.objects.count()
    with pytest.raises(IllegalTransition) as exc:
        services.change_status(actor=spld_admin, membership=final_notice, target="active",
                               reason="Retour")
    assert exc.value.allowed == ["applied"]
    assert MembershipEvent.objects.count() == events


def test_unknown_target_is_an_illegal_transition(spld_admin, active):
    with pytest.raises(IllegalTransition):
        services.change_status(actor=spld_admin, membership=active, target="bogus", reason="x")


def test_second_organisation_gets_its_own_membership(spld_admin, version_one):
    a = activate(spld_admin, make_organization("ville-test"))
    b = services.apply(actor=spld_admin, organization=make_organization("asso-test",
                                                                          kind="association"))
    assert a.pk != b.pk and b.status == "applied"


def test_a_stale_copy_cannot_move_the_membership(spld_admin, org_admin, active):
    stale = Membership.objects.get(pk=active.pk)
    services.withdraw(actor=org_admin, membership=active, reason="Départ")
    with pytest.raises(ValidationError, match="vient de changer"):
        services.withdraw(actor=org_admin, membership=stale, reason="Encore")
    assert active.events.filter(action="withdrawn").count() == 1
