"""Permission rules of the charter: who runs the lifecycle, who answers, who gives opinions."""

from typing import Any

from spld.core.permissions import has_role, is_authenticated, is_spld_admin, rule


def _org(obj: Any) -> Any:
    # Rules receive an organisation or a charter object that leads to one.
    membership = getattr(obj, "membership", None)
    if membership is not None:
        return membership.organization
    return getattr(obj, "organization", obj)


def _committee(actor: Any) -> bool:
    return is_authenticated(actor) and bool(getattr(actor, "is_committee_member", False))


@rule("charter.manage")
def _manage(actor: Any, obj: Any) -> bool:
    """SPLD team: versions, reviews, alerts, exclusions, reports."""
    return is_spld_admin(actor)


@rule("charter.apply")
def _apply(actor: Any, organization: Any) -> bool:
    return is_spld_admin(actor) or has_role(actor, _org(organization), "org_admin")


@rule("charter.withdraw")
def _withdraw(actor: Any, obj: Any) -> bool:
    return is_spld_admin(actor) or has_role(actor, _org(obj), "org_admin")


@rule("charter.change_status")
def _change_status(actor: Any, obj: Any) -> bool:
    """Ask for a manual status change: the team or the signatory's administrators."""
    return is_spld_admin(actor) or has_role(actor, _org(obj), "org_admin")


@rule("charter.fill")
def _fill(actor: Any, obj: Any) -> bool:
    """Fill the capacity assessment, answer alerts, file the self-evaluation."""
    return is_spld_admin(actor) or has_role(actor, _org(obj), "org_admin", "dpo", "editor")


@rule("charter.review")
def _review(actor: Any, obj: Any) -> bool:
    """Comment on a capacity assessment: the SPLD team and the ethics committee."""
    return is_spld_admin(actor) or _committee(actor)


@rule("charter.view_private")
def _view_private(actor: Any, obj: Any) -> bool:
    """See an assessment and its evidence (not public): the organisation and the reviewers."""
    return _review(actor, obj) or has_role(actor, _org(obj), "org_admin", "dpo", "editor")


@rule("charter.committee")
def _committee_rule(actor: Any, obj: Any) -> bool:
    """Publish opinions, meetings and exclusion votes: committee members and SPLD admins."""
    return is_spld_admin(actor) or _committee(actor)
