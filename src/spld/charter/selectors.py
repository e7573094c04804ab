"""Reads of the charter app: signatories, scorecards, alerts, committee, versions and diffs."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from spld.charter import indicators as registry
from spld.charter import lifecycle
from spld.charter.lifecycle import evaluation_due_date  # noqa: F401  (part of the read API)
from spld.charter.models import (
    Alert,
    CapacityAssessment,
    CharterVersion,
    CommitteeMeeting,
    CommitteeMember,
    Evaluation,
    Exclusion,
    IndicatorValue,
    Membership,
    MembershipEvent,
    Opinion,
)
from spld.core.principles import PRINCIPLES


def memberships() -> QuerySet[Membership]:
    """Every membership with its organisation, for the public list."""
    return Membership.objects.select_related("organization", "contracting_authority",
                                             "charter_version")


def signatories() -> QuerySet[Membership]:
    """Memberships that currently count as signatories (active or under alert)."""
    return memberships().filter(status__in=lifecycle.SIGNATORY_STATUSES)


def membership_of(organization: Any) -> Membership | None:
    """The organisation's membership, if it ever applied."""
    return memberships().filter(organization=organization).first()


def history(membership: Membership) -> QuerySet[MembershipEvent]:
    """The public events of a membership, oldest first."""
    return membership.events.order_by("at", "pk")


def current_assessment(membership: Membership) -> CapacityAssessment | None:
    """The latest round of the capacity assessment, with answers and evidence."""
    return (membership.assessments.order_by("-round")
            .prefetch_related("answers__evidence", "comments").first())


def signatory_count() -> int:
    """How many organisations currently count as signatories (hub and signatories page)."""
    return signatories().count()


def status_counts() -> dict[str, int]:
    """How many memberships are in each status."""
    counts = dict.fromkeys(Membership.Status.values, 0)
    for status in Membership.objects.values_list("status", flat=True):
        counts[status] += 1
    return counts


@dataclass
class IndicatorRow:
    """An indicator on a scorecard: latest value, threshold and history."""

    indicator: registry.Indicator
    latest: float | None
    history: list[tuple[dt.date, float | None]] = field(default_factory=list)

    @property
    def below(self) -> bool:
        return self.indicator.is_below(self.latest)

    @property
    def measured(self) -> bool:
        return self.latest is not None


@dataclass
class PrincipleRow:
    """A principle on a scorecard: its indicators and the self-evaluated levels by year."""

    principle: Any
    indicators: list[IndicatorRow]
    levels: dict[int, str]


def scorecard(organization: Any, *, points: int = 8) -> dict[str, Any]:
    """Principles × indicators for one organisation, with value histories and evaluations."""
    values: dict[str, list[tuple[dt.date, float | None]]] = {}
    for v in IndicatorValue.objects.filter(organization=organization).order_by("at_date"):
        values.setdefault(v.code, []).append((v.at_date, v.value))
    evaluations = list(Evaluation.objects.filter(membership__organization=organization)
                       .prefetch_related("answers").order_by("year"))
    years = [e.year for e in evaluations]
    levels: dict[int, dict[int, str]] = {}
    for evaluation in evaluations:
        for answer in evaluation.answers.all():
            levels.setdefault(answer.principle, {})[evaluation.year] = answer.get_level_display()
    rows = []
    for principle in PRINCIPLES:
        indicator_rows = []
        for indicator in registry.for_principle(principle.number):
            hist = values.get(indicator.code, [])[-points:]
            latest = hist[-1][1] if hist else None
            indicator_rows.append(IndicatorRow(indicator, latest, hist))
        rows.append(PrincipleRow(principle, indicator_rows, levels.get(principle.number, {})))
    return {"rows": rows, "years": years, "evaluations": evaluations}


def public_alerts() -> QuerySet[Alert]:
    """Alerts that were actually raised (proposals awaiting the team are not public)."""
    return (Alert.objects.exclude(status__in=[Alert.Status.PROPOSED, Alert.Status.DISMISSED])
            .select_related("membership__organization"))


def proposed_alerts() -> QuerySet[Alert]:
    """Automatic proposals waiting for the SPLD team."""
    return Alert.objects.filter(status=Alert.Status.PROPOSED).select_related(
        "membership__organization")


def exclusions() -> QuerySet[Exclusion]:
    """Exclusions with their vote, newest first."""
    return Exclusion.objects.select_related("membership__organization", "meeting")


def committee_members(*, on: dt.date | None = None) -> QuerySet[CommitteeMember]:
    """Members whose mandate covers a date (today by default)."""
    on = on or timezone.localdate()
    return CommitteeMember.objects.filter(mandate_start__lte=on, mandate_end__gte=on)


def meetings() -> QuerySet[CommitteeMeeting]:
    """Committee meetings, newest first, with their opinions."""
    return CommitteeMeeting.objects.prefetch_related("opinions")


def opinions() -> QuerySet[Opinion]:
    """Committee opinions, newest first."""
    return Opinion.objects.select_related("membership__organization", "alert", "meeting")


def versions() -> QuerySet[CharterVersion]:
    """Charter versions, newest first, with their principles."""
    return CharterVersion.objects.prefetch_related("principles")


def current_version() -> CharterVersion | None:
    """The charter in force."""
    return versions().order_by("-number").first()


def _words(text: str) -> list[str]:
    return re.findall(r"\s+|[^\s]+", text)


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """A readable word-level diff: [(op, text)] with op in equal/delete/insert."""
    a, b = _words(old), _words(new)
    out: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(("equal", "".join(a[i1:i2])))
        else:
            if i2 > i1:
                out.append(("delete", "".join(a[i1:i2])))
            if j2 > j1:
                out.append(("insert", "".join(b[j1:j2])))
    return out


def version_diff(version: CharterVersion) -> list[dict[str, Any]]:
    """For each principle changed since the previous version: old/new title and a word diff."""
    previous = CharterVersion.objects.filter(number__lt=version.number).order_by(
        "-number").first()
    if previous is None:
        return []
    old = {p.number: p for p in previous.principles.all()}
    changes = []
    for p in version.principles.order_by("number"):
        before = old.get(p.number)
        if before and (before.title, before.body, before.commentary) == (p.title, p.body,
                                                                         p.commentary):
            continue
        changes.append({
            "number": p.number, "title": p.title,
            "old_title": before.title if before else "",
            "body": word_diff(before.body if before else "", p.body),
            "commentary": word_diff(before.commentary if before else "", p.commentary),
            "reason": p.change_reason,
        })
    return changes


def memberships_with_events() -> QuerySet[Membership]:
    """Memberships with their events prefetched (public list with history)."""
    return memberships().prefetch_related(
        Prefetch("events", queryset=MembershipEvent.objects.order_by("at", "pk")))
