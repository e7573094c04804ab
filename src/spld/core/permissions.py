"""The single permission check: services call `require(actor, permission, obj)` first."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

Rule = Callable[[Any, Any], bool]
RULES: dict[str, Rule] = {}

ORG_ROLES = ("editor", "dpo", "org_admin")


def rule(name: str) -> Callable[[Rule], Rule]:
    """Register the predicate deciding `name`; apps declare theirs in their permissions.py."""

    def register(fn: Rule) -> Rule:
        if name in RULES:
            raise ValueError(f"permission {name} registered twice")
        RULES[name] = fn
        return fn

    return register


@dataclass(frozen=True)
class TokenActor:
    """A machine client acting for an organisation with an API token (editor rights there)."""

    organization: Any
    token_id: int
    is_authenticated: bool = True
    is_superuser: bool = False
    is_committee_member: bool = False

    def roles_for(self, organization: Any) -> set[str]:
        """Roles the token has in `organization`."""
        if organization is not None and organization.pk == self.organization.pk:
            return {"editor"}
        return set()


def is_authenticated(actor: Any) -> bool:
    """True for a signed-in user or a token client."""
    return bool(actor is not None and getattr(actor, "is_authenticated", False))


def is_spld_admin(actor: Any) -> bool:
    """SPLD team administrators."""
    return is_authenticated(actor) and bool(getattr(actor, "is_superuser", False))


def roles_in(actor: Any, organization: Any) -> set[str]:
    """Roles the actor holds in an organisation (empty for strangers and anonymous users)."""
    if not is_authenticated(actor) or organization is None:
        return set()
    return set(actor.roles_for(organization))


def has_role(actor: Any, organization: Any, *roles: str) -> bool:
    """True when the actor holds one of `roles` in the organisation."""
    return bool(roles_in(actor, organization) & set(roles))


def has_perm(actor: Any, permission: str, obj: Any = None) -> bool:
    """Whether `actor` may do `permission` on `obj`."""
    try:
        check = RULES[permission]
    except KeyError as exc:
        raise LookupError(f"unknown permission {permission!r}") from exc
    return bool(check(actor, obj))


def require(actor: Any, permission: str, obj: Any = None) -> None:
    """Raise PermissionDenied unless `actor` may do `permission` on `obj`."""
    if not has_perm(actor, permission, obj):
        raise PermissionDenied(
            _("Vous n’avez pas le droit d’effectuer cette action ({permission}).").format(
                permission=permission
            )
        )
