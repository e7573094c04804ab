"""No personal data in the append-only log: every payload type is scanned, keys and values."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.apps import apps

from spld.core.commitments import commit
from spld.core.models import PublicRecord
from spld.ledger.models import LogEntry

pytestmark = pytest.mark.django_db

# Keys that name a person's data wherever they appear in a payload.
PERSON_KEYS = re.compile(r"(^|_)(e?mail|phone|telephone|first_name|last_name|full_name|"
                         r"display_name|birth|address|dpo_contact_value|person_name)($|_)")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
# Functional addresses that a field's help text requires (never a person's).
FUNCTIONAL_KEYS = {"contact_email", "contact_point"}


def _walk(value, path=""):
    if isinstance(value, dict):
        for key, item in value.items():
            yield f"{path}{key}", key, item
            yield from _walk(item, f"{path}{key}.")
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item, f"{path}[].")


def test_no_payload_type_holds_person_data(monkeypatch):
    from spld.accounts.models import User
    from spld.catalog import demo
    from spld.charter.models import CommitteeMember
    from spld.demo.services import load_demo
    from spld.organizations.models import Organization

    monkeypatch.setattr(demo, "BIG_ROWS", 500)
    load_demo()
    entries = list(LogEntry.objects.all())
    # Every payload type of every public record model is in the scan.
    types = {m.public_type for m in apps.get_models() if issubclass(m, PublicRecord)}
    assert types <= {e.subject_type for e in entries}

    members = list(CommitteeMember.objects.all())
    dpos = [o.dpo_contact for o in Organization.objects.exclude(dpo_contact="")]
    assert members and dpos
    # Display names that are bodies, not people (the public author labels), are not sought.
    bodies = {"Équipe SPLD", "Comité d’éthique"} | set(
        Organization.objects.values_list("name", flat=True))
    people = ({m.name for m in members} | set(dpos)
              | {u.email for u in User.objects.all()}
              | {u.display_name for u in User.objects.exclude(display_name="")} - bodies)
    problems = []
    for entry in entries:
        raw = bytes(entry.payload).decode()
        payload = json.loads(raw)
        for value in people:
            if value and value in raw:
                problems.append(f"{entry.subject_type} #{entry.index} holds {value!r}")
        for path, key, item in _walk(payload):
            if PERSON_KEYS.search(key) and key not in FUNCTIONAL_KEYS:
                problems.append(f"{entry.subject_type} #{entry.index}: key {path}")
            if (isinstance(item, str) and key not in FUNCTIONAL_KEYS
                    and EMAIL.fullmatch(item.strip())):
                problems.append(f"{entry.subject_type} #{entry.index}: e-mail in {path}")
    assert problems == [], "\n".join(sorted(set(problems))[:60])

    # What the log holds instead: a salted commitment, provable with the erasable values.
    member = members[0]
    logged = json.loads(bytes(LogEntry.objects.filter(
        subject_type="charter_committee_member", subject_id=str(member.public_id()))
        .latest("index").payload))
    assert logged == {"member": commit(member.commitment_salt, member.person())}
    assert logged["member"] != commit(members[1].commitment_salt, member.person())
    organization = Organization.objects.exclude(dpo_contact="").first()
    logged = json.loads(bytes(LogEntry.objects.filter(
        subject_type="organization", subject_id=organization.slug).latest("index").payload))
    assert logged["dpo_contact"] == commit(organization.dpo_contact_salt,
                                           organization.dpo_contact)
    assert logged["name"] == organization.name  # the organisation itself stays public


def test_each_record_has_its_own_salt_and_the_page_still_names_members(client, spld_admin):
    from spld.charter import services

    start, end = dt.date(2026, 1, 1), dt.date(2028, 12, 31)
    one = services.add_committee_member(actor=spld_admin, name="Anne Le Gall",
                                        college="citizens", mandate_start=start,
                                        mandate_end=end)
    two = services.add_committee_member(actor=spld_admin, name="Anne Le Gall",
                                        college="citizens", mandate_start=start,
                                        mandate_end=end)
    assert one.commitment_salt != two.commitment_salt and len(one.commitment_salt) == 32
    payloads = [bytes(e.payload) for e in LogEntry.objects.filter(
        subject_type="charter_committee_member")]
    assert len(set(payloads)) == 2 and all(b"Anne" not in p for p in payloads)
    assert "Anne Le Gall" in client.get("/charte/comite/").content.decode()
