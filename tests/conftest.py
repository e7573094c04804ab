"""Shared fixtures: users in every role and a couple of organisations."""

from __future__ import annotations

import os

import pytest

from tests.browser_support import ARGS, CHROMIUM
from tests.factories import make_organization, make_user


def pytest_collection_modifyitems(config, items):
    """Browser tests need Chromium; CI sets SPLD_REQUIRE_BROWSER=1 so that they never skip."""
    if CHROMIUM.exists():
        return
    if os.environ.get("SPLD_REQUIRE_BROWSER"):
        raise pytest.UsageError(f"{CHROMIUM} is missing: apt-get install chromium")
    skip = pytest.mark.skip(reason=f"{CHROMIUM} not installed (apt-get install chromium)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole run (one Playwright session per process)."""
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls
    # stay synchronous.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A fresh French-speaking browser context and page."""
    context = browser.new_context(locale="fr-FR", accept_downloads=True)
    page = context.new_page()
    yield page
    context.close()


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


@pytest.fixture(autouse=True)
def _default_language_after_each_test():
    """A request to /en/… leaves English active in the thread (LocaleMiddleware does not reset
    it), and `reverse()` in the next test would then build /en/ addresses: reset it."""
    yield
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
