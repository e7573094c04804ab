"""Permission rules about consents, rights requests, receipts and the access log."""

from typing import Any

from spld.core.permissions import has_role, is_authenticated, is_spld_admin, rule

# Rights requests hold personal data: only the people answering them see them.
ANSWERING_ROLES = ("dpo", "org_admin")


def _is_person(actor: Any) -> bool:
    return is_authenticated(actor) and hasattr(actor, "memberships")


def _same_person(actor: Any, user: Any) -> bool:
    return _is_person(actor) and user is not None and actor.pk == getattr(user, "pk", None)


@rule("rights.record_consent")
def _record_consent(actor: Any, organization: Any) -> bool:
    return has_role(actor, organization, "editor", "dpo", "org_admin")


@rule("rights.give_consent")
def _give_consent(actor: Any, notice: Any) -> bool:
    return _is_person(actor)


@rule("rights.manage_own")
def _manage_own(actor: Any, user: Any) -> bool:
    """A citizen acts on their own data only."""
    return _same_person(actor, user)


@rule("rights.withdraw_consent")
def _withdraw_consent(actor: Any, record: Any) -> bool:
    return _same_person(actor, record.user)


@rule("rights.file_request")
def _file_request(actor: Any, obj: Any) -> bool:
    return _is_person(actor)


@rule("rights.view_parts")
def _view_parts(actor: Any, organization: Any) -> bool:
    return _is_person(actor) and has_role(actor, organization, *ANSWERING_ROLES)


@rule("rights.answer_part")
def _answer_part(actor: Any, part: Any) -> bool:
    return _is_person(actor) and has_role(actor, part.organization, *ANSWERING_ROLES)


@rule("rights.export_access_log")
def _export_access_log(actor: Any, organization: Any) -> bool:
    if organization is None:
        return is_spld_admin(actor)
    return is_spld_admin(actor) or has_role(actor, organization, "dpo")


@rule("rights.run_maintenance")
def _run_maintenance(actor: Any, obj: Any) -> bool:
    # Scheduled tasks pass actor=None through system(); people need to be SPLD admins.
    return actor == "system" or is_spld_admin(actor)
