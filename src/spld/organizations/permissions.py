"""Permission rules about organisations."""

from typing import Any

from spld.core.permissions import has_role, is_spld_admin, rule


@rule("organizations.create")
def _create(actor: Any, obj: Any) -> bool:
    return is_spld_admin(actor)


@rule("organizations.change")
def _change(actor: Any, organization: Any) -> bool:
    return is_spld_admin(actor) or has_role(actor, organization, "org_admin")
