"""Permission rules about accounts, memberships and API tokens."""

from typing import Any

from spld.core.permissions import has_role, is_spld_admin, rule


@rule("accounts.manage_members")
def _manage_members(actor: Any, organization: Any) -> bool:
    return is_spld_admin(actor) or has_role(actor, organization, "org_admin")


@rule("accounts.manage_tokens")
def _manage_tokens(actor: Any, organization: Any) -> bool:
    # Tokens cannot mint tokens: a token only ever holds the editor role.
    return is_spld_admin(actor) or has_role(actor, organization, "org_admin")


@rule("admin.access")
def _admin_access(actor: Any, obj: Any) -> bool:
    return is_spld_admin(actor)
