"""Who may write register entries: the organisation's editors, DPO and administrators."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from spld.core.permissions import TokenActor
from spld.registers import services
from tests.factories import make_user
from tests.registers.conftest import processing_fields

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who, allowed", [
    ("editor", True), ("dpo", True), ("org_admin", True), ("spld_admin", True),
    ("other_editor", False), ("citizen", False), ("committee_member", False),
    ("anonymous", False),
])
def test_matrix(request, who, allowed, org, other_org, activity):
    from django.contrib.auth.models import AnonymousUser

    actor = {
        "other_editor": lambda: make_user(memberships=[(other_org, "editor")]),
        "anonymous": AnonymousUser,
    }.get(who, lambda: request.getfixturevalue(who))()
    calls = [
        lambda: services.create_processing_activity(actor=actor, organization=org,
                                                    **processing_fields()),
        lambda: services.update_processing_activity(actor=actor, activity=activity,
                                                    retention="1 an"),
        lambda: services.create_data_flow(actor=actor, organization=org,
                                          recipient_category="chercheurs", purpose="p",
                                          ground="convention"),
    ]
    for call in calls:
        if allowed:
            call()
        else:
            with pytest.raises(PermissionDenied):
                call()


def test_tokens_act_only_for_their_organisation(org, other_org, activity):
    mine = TokenActor(organization=org, token_id=1)
    theirs = TokenActor(organization=other_org, token_id=2)
    services.update_processing_activity(actor=mine, activity=activity, retention="2 ans")
    with pytest.raises(PermissionDenied):
        services.update_processing_activity(actor=theirs, activity=activity, retention="x")


def test_http_writes(client, activity, other_org, spld_admin, org):
    from spld.accounts.services import create_api_token

    _t, foreign = create_api_token(actor=spld_admin, organization=other_org, name="x")
    url = f"/api/1/registers/processing-activities/{activity.uid}"
    assert client.patch(url, {"retention": "x"}, content_type="application/json"
                        ).status_code == 401
    forbidden = client.patch(url, {"retention": "x"}, content_type="application/json",
                             HTTP_AUTHORIZATION=f"Bearer {foreign}")
    assert forbidden.status_code == 403
    assert forbidden.json()["error"]["code"] == "forbidden"
    outsider = make_user(memberships=[(other_org, "editor")])
    client.force_login(outsider)
    assert client.get(f"/registres/gerer/traitement/{activity.uid}/").status_code == 403


def test_html_create_and_edit(client, editor, org):
    client.force_login(editor)
    assert client.get("/registres/gerer/").status_code == 200
    form = client.get("/registres/gerer/traitement/nouveau/")
    assert form.status_code == 200
    data = {"organization": org.pk, "name": "Inscriptions à la médiathèque",
            "description": "Nous gérons les inscriptions des lecteurs.",
            "purposes": ["https://w3id.org/dpv#ServiceProvision"],
            "legal_basis": "https://w3id.org/dpv/legal/eu/gdpr#A6-1-e",
            "data_subjects": "lecteurs\nparents des lecteurs mineurs",
            "transfers": "", "retention": "3 ans", "dpia_reason": "Aucun critère",
            "status": "planned"}
    response = client.post("/registres/gerer/traitement/nouveau/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    page = client.get(response["Location"]).content.decode()
    assert "parents des lecteurs mineurs" in page
    bad = client.post("/registres/gerer/traitement/nouveau/", {**data, "transfers": "Inde"})
    assert bad.status_code == 400
    assert "pays ; garantie" in bad.content.decode()


def test_index_and_hub(client, activity):
    page = client.get("/registres/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Derniers changements" in html and activity.name in html
    hub = client.get("/transparence/").content.decode()
    assert "/registres/" in hub


def test_hub_counts_register_entries(client, activity):
    from spld.portal.selectors import transparency_hub

    entry = next(e for e in transparency_hub() if e.url and e.url.startswith("/registres/"))
    assert entry.count == 1
