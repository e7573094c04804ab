"""Permission rules of the registers: each organisation maintains its own entries."""

from typing import Any

from spld.core.permissions import has_role, is_spld_admin, rule


def _organization_of(obj: Any) -> Any:
    # Rules accept an organisation or a register entry.
    return getattr(obj, "organization", obj)


@rule("registers.edit")
def _edit(actor: Any, obj: Any) -> bool:
    return is_spld_admin(actor) or has_role(
        actor, _organization_of(obj), "editor", "dpo", "org_admin")


@rule("registers.manage")
def _manage(actor: Any, obj: Any) -> bool:
    # The "manage my organisation's entries" page: people holding a role in an organisation.
    memberships = getattr(actor, "memberships", None)
    return is_spld_admin(actor) or bool(
        getattr(actor, "is_authenticated", False) and memberships is not None
        and memberships.exists())


@rule("registers.publish_assessment")
def _publish_assessment(actor: Any, obj: Any) -> bool:
    # Reviewing and publishing an impact assessment is the DPO's or the organisation's call.
    return has_role(actor, _organization_of(obj), "dpo", "org_admin")
