"""Shared fixtures: users in every role and a couple of organisations."""

from __future__ import annotations

import pytest

from tests.factories import make_organization, make_user


@pytest.fixture
def org(db):
    return make_organization(slug="eau-du-ponant", name="Eau du Ponant", kind="public_company")


@pytest.fixture
def other_org(db):
    return make_organization(slug="sotraval", name="Sotraval", kind="public_company")


@pytest.fixture
def spld_admin(db):
    return make_user("admin@spld.example", superuser=True)


@pytest.fixture
def committee_member(db):
    return make_user("comite@spld.example", committee=True)


@pytest.fixture
def citizen(db):
    return make_user("habitant@spld.example")


@pytest.fixture
def editor(org):
    return make_user("editeur@example.org", memberships=[(org, "editor")])


@pytest.fixture
def dpo(org):
    return make_user("dpo@example.org", memberships=[(org, "dpo")])


@pytest.fixture
def org_admin(org):
    return make_user("orgadmin@example.org", memberships=[(org, "org_admin")])


@pytest.fixture
def api_token(org, spld_admin):
    """A clear API token of `org` (editor rights there)."""
    from spld.accounts.services import create_api_token

    _token, clear = create_api_token(actor=spld_admin, organization=org, name="test")
    return clear
