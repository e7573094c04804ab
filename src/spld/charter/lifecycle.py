"""The membership state machine: which status may follow which, and through which action."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from spld.charter.models import Membership

S = Membership.Status


@dataclass(frozen=True)
class Transition:
    """An allowed move of a membership, named by its action."""

    action: str
    source: str
    target: str
    # Who may trigger it by hand: "team" (SPLD admins), "signatory" (its org_admin) or "system"
    # (only as a consequence of another use case: a decision, an alert, an exclusion).
    by: str


TRANSITIONS: tuple[Transition, ...] = (
    Transition("review_started", S.APPLIED, S.UNDER_REVIEW, "system"),
    Transition("changes_requested", S.UNDER_REVIEW, S.APPLIED, "system"),
    Transition("activated", S.UNDER_REVIEW, S.ACTIVE, "system"),
    Transition("alert_raised", S.ACTIVE, S.ALERT_1, "system"),
    Transition("alert_escalated", S.ALERT_1, S.ALERT_2, "system"),
    Transition("final_notice", S.ALERT_2, S.FINAL_NOTICE, "system"),
    Transition("remediated", S.ALERT_1, S.ACTIVE, "team"),
    Transition("remediated", S.ALERT_2, S.ACTIVE, "team"),
    Transition("remediated", S.FINAL_NOTICE, S.ACTIVE, "team"),
    Transition("excluded", S.FINAL_NOTICE, S.EXCLUDED, "system"),
    *[Transition("withdrawn", source, S.WITHDRAWN, "signatory")
      for source in (S.APPLIED, S.UNDER_REVIEW, S.ACTIVE, S.ALERT_1, S.ALERT_2, S.FINAL_NOTICE)],
    Transition("reapplied", S.EXCLUDED, S.APPLIED, "signatory"),
    Transition("reapplied", S.WITHDRAWN, S.APPLIED, "signatory"),
)


class IllegalTransition(ValidationError):
    """A move the state machine does not allow; carries the allowed targets."""

    def __init__(self, source: str, target: str, allowed: list[str]) -> None:
        self.source, self.target, self.allowed = source, target, allowed
        labels = ", ".join(f"{a} ({S(a).label})" for a in allowed) or _("aucun")
        super().__init__(
            _("Passage interdit de « {source} » à « {target} ». Statuts possibles depuis "
              "« {source} » : {allowed}.").format(source=source, target=target, allowed=labels),
            code="illegal_transition",
        )


def allowed_targets(source: str) -> list[str]:
    """Statuses reachable from `source`, in a stable order."""
    seen: list[str] = []
    for t in TRANSITIONS:
        if t.source == source and t.target not in seen:
            seen.append(str(t.target))
    return seen


def find(source: str, target: str) -> Transition:
    """The transition from `source` to `target`, or IllegalTransition."""
    if target not in S.values:
        raise IllegalTransition(source, target, allowed_targets(source))
    for t in TRANSITIONS:
        if t.source == source and t.target == target:
            return t
    raise IllegalTransition(source, target, allowed_targets(source))


# Statuses in which an organisation counts as a signatory (it signed and is not out).
SIGNATORY_STATUSES = (S.ACTIVE, S.ALERT_1, S.ALERT_2, S.FINAL_NOTICE)
ESCALATION = {S.ACTIVE: S.ALERT_1, S.ALERT_1: S.ALERT_2, S.ALERT_2: S.FINAL_NOTICE}


def evaluation_due_date(year: int) -> dt.date:
    """Last day to file the self-evaluation of `year` (31 March of the next year by default)."""
    month, day = (int(part) for part in str(
        getattr(settings, "CHARTER_EVALUATION_DUE", "03-31")).split("-"))
    return dt.date(year + 1, month, day)
