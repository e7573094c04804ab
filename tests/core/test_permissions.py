"""Permission matrix: who may do what, checked through the single `require` helper."""

import pytest
from django.core.exceptions import PermissionDenied

from spld.core.permissions import RULES, TokenActor, has_perm, require

# permission → roles allowed, on the organisation `org` (others are refused).
MATRIX = {
    "organizations.create": {"spld_admin"},
    "organizations.change": {"spld_admin", "org_admin"},
    "accounts.manage_members": {"spld_admin", "org_admin"},
    "accounts.manage_tokens": {"spld_admin", "org_admin"},
    "admin.access": {"spld_admin"},
}
ROLES = [
    "anonymous",
    "citizen",
    "editor",
    "dpo",
    "org_admin",
    "other_org_admin",
    "spld_admin",
    "committee_member",
    "token",
]


@pytest.fixture
def actors(db, org, other_org, citizen, editor, dpo, org_admin, spld_admin, committee_member):
    from django.contrib.auth.models import AnonymousUser

    from tests.factories import make_user

    return {
        "anonymous": AnonymousUser(),
        "citizen": citizen,
        "editor": editor,
        "dpo": dpo,
        "org_admin": org_admin,
        "other_org_admin": make_user(memberships=[(other_org, "org_admin")]),
        "spld_admin": spld_admin,
        "committee_member": committee_member,
        "token": TokenActor(organization=org, token_id=1),
    }


@pytest.mark.parametrize("permission", sorted(MATRIX))
@pytest.mark.parametrize("role", ROLES)
def test_matrix(actors, org, permission, role):
    allowed = role in MATRIX[permission]
    assert has_perm(actors[role], permission, org) is allowed
    if not allowed:
        with pytest.raises(PermissionDenied):
            require(actors[role], permission, org)


def test_matrix_covers_every_foundation_rule():
    foundation = {p for p in RULES if p.split(".")[0] in {"organizations", "accounts", "admin"}}
    assert foundation <= set(MATRIX)


def test_unknown_permission_is_a_programming_error():
    with pytest.raises(LookupError):
        has_perm(None, "nope.nothing")
