"""No change without an entry: every public record, on every path, matches its last log entry."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import RequestFactory

from spld.core.models import PublicRecord
from spld.ledger import log
from spld.ledger.models import LogEntry

pytestmark = pytest.mark.django_db


def public_models() -> list[type[PublicRecord]]:
    """Every concrete PublicRecord model of every installed app."""
    models = [m for m in apps.get_models() if issubclass(m, PublicRecord)]
    assert len(models) >= 17  # the walk sees the apps' records
    return models


def unlogged_states() -> list[str]:
    """Records whose current public state is not their last log entry (or have none)."""
    latest: dict[tuple[str, str], bytes] = {}
    for entry in LogEntry.objects.order_by("index").only("subject_type", "subject_id",
                                                        "payload"):
        latest[(entry.subject_type, entry.subject_id)] = bytes(entry.payload)
    problems = []
    for model in public_models():
        for record in model.objects.all():
            logged = latest.get((record.public_type, str(record.public_id())))
            if logged is None:
                problems.append(f"{model.__name__} {record.public_id()}: never logged")
            elif logged != log.jcs(record.public_payload()):
                problems.append(f"{model.__name__} {record.public_id()}: changed since its "
                                f"last entry")
    return problems


def test_every_registered_public_record_is_read_only_in_the_admin(spld_admin):
    request = RequestFactory().get("/admin/")
    request.user = spld_admin
    registered = [m for m in public_models() if m in admin.site._registry]
    assert {"Dataset", "Resource", "Organization", "Membership"} <= {
        m.__name__ for m in registered}
    for model in registered:
        model_admin = admin.site._registry[model]
        assert not model_admin.has_add_permission(request), model
        assert not model_admin.has_change_permission(request), model
        assert not model_admin.has_delete_permission(request), model
        assert "delete_selected" not in model_admin.get_actions(request), model

    # A new app registering a plain ModelAdmin for a public record gets a read-only one.
    from spld.core.admin_site import SpldAdminSite

    site = SpldAdminSite(name="probe")
    site.register(apps.get_model("catalog", "Dataset"))
    assert not site._registry[apps.get_model("catalog", "Dataset")].has_change_permission(
        request)


def test_admin_cannot_change_or_delete_a_published_dataset(client, spld_admin, editor, org):
    from spld.catalog.models import Dataset, Resource
    from tests.catalog.helpers import WATER_CSV, make_dataset, make_resource

    dataset = make_dataset(editor, org, title="Eau potable")
    resource = make_resource(editor, dataset, WATER_CSV)
    logged = LogEntry.objects.count()
    dataset.refresh_from_db()
    client.force_login(spld_admin)
    base = f"/admin/catalog/dataset/{dataset.pk}"
    assert client.get(f"{base}/change/").status_code == 200  # viewing stays possible
    changed = client.post(f"{base}/change/", {
        "title": dataset.title, "slug": dataset.slug, "access_level": "restricted",
        "licence": "shared", "purpose": "Autre chose.", "description": "Réécrit."})
    assert changed.status_code == 403
    assert client.post(f"{base}/delete/", {"post": "yes"}).status_code == 403
    assert client.post(f"/admin/catalog/resource/{resource.pk}/delete/",
                       {"post": "yes"}).status_code == 403
    bulk = client.post("/admin/catalog/dataset/", {
        "action": "delete_selected", "_selected_action": [dataset.pk], "post": "yes"})
    # No delete action is offered: the list comes back unchanged instead of a confirmation.
    assert bulk.status_code == 200 and 'value="delete_selected"' not in bulk.content.decode()
    assert client.get("/admin/catalog/dataset/add/").status_code == 403
    before = dataset.public_payload()
    dataset.refresh_from_db()
    assert dataset.public_payload() == before and dataset.access_level == "open"
    assert Dataset.objects.filter(pk=dataset.pk).exists()
    assert Resource.objects.filter(pk=resource.pk).exists()
    assert LogEntry.objects.count() == logged


def test_every_public_record_matches_its_last_entry_after_the_demo_and_updates(
        monkeypatch, spld_admin):
    from spld.catalog import demo
    from spld.catalog import services as catalog
    from spld.catalog.models import Dataset
    from spld.demo.services import load_demo
    from spld.organizations import services as organizations
    from spld.organizations.models import Organization
    from spld.registers import services as registers
    from spld.registers.models import DataFlow, ProcessingActivity

    monkeypatch.setattr(demo, "BIG_ROWS", 500)
    admin_user = load_demo()
    # Every public record type is exercised: a new app's model must join the demo (or this
    # test) or this walk fails.
    empty = [m.__name__ for m in public_models() if not m.objects.exists()]
    assert empty == []
    assert unlogged_states() == []

    # Updates through each app's services, then a withdrawal.
    dataset = Dataset.objects.filter(status="published", access_level="open").first()
    catalog.update_dataset(actor=admin_user, dataset=dataset, purpose="Nouvelle finalité.",
                           description="Nouvelle description.")
    catalog.withdraw_dataset(actor=admin_user, dataset=Dataset.objects.get(pk=dataset.pk))
    organization = Organization.objects.order_by("pk").first()
    organizations.update_organization(actor=admin_user, organization=organization,
                                      description="Description revue.")
    activity = ProcessingActivity.objects.order_by("pk").first()
    registers.update_processing_activity(actor=admin_user, activity=activity,
                                         retention="3 ans")
    flow = DataFlow.objects.order_by("pk").first()
    registers.update_data_flow(actor=admin_user, flow=flow,
                               frequency="yearly" if flow.frequency != "yearly" else "monthly")
    assert unlogged_states() == []

    # And the check does see a silent change.
    Dataset.objects.filter(pk=dataset.pk).update(purpose="Changée en douce.")
    assert unlogged_states() == [f"Dataset {Dataset.objects.get(pk=dataset.pk).public_id()}: "
                                 "changed since its last entry"]
