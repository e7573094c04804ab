"""Schemathesis over the whole OpenAPI document, anonymous and with an organisation token.

Every operation gets a bounded number of schema-valid and schema-invalid requests
(deterministic, so a failure reproduces); the test asserts that no answer is a server
error and that every answer conforms to the document (declared status, content type,
body schema, error envelope). Path parameters are often replaced by identifiers that
exist, so that the requests reach the code behind the 404s.
"""

from __future__ import annotations

import collections
import contextlib
import os
import random
import time
from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis.errors import Unsatisfiable  # noqa: E402
from schemathesis import checks as st_checks  # noqa: E402
from schemathesis.core.failures import FailureGroup  # noqa: E402
from schemathesis.generation import GenerationMode  # noqa: E402

from tests.catalog.helpers import WATER_CSV, make_dataset, make_resource  # noqa: E402

EXAMPLES = int(os.environ.get("SPLD_FUZZ_EXAMPLES", "3"))
CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
    "negative_data_rejection",
    "positive_data_acceptance",
]
# Checks whose failures the test asserts are zero. `positive_data_acceptance` is reported
# only: a schema cannot say which slugs exist, which DPV IRIs are known or which workflow
# state allows an action, so a schema-valid body may honestly get a 422 or a 409.
REPORTED = {"RejectedPositiveData"}


def _world(org, other_org, spld_admin, editor):
    """A little of everything, so that known identifiers reach the code behind 404s."""
    from spld.charter import services as charter
    from spld.registers import services as registers
    from tests.charter.conftest import activate
    from tests.registers.conftest import processing_fields

    charter.seed_first_version(actor=spld_admin)
    membership = activate(spld_admin, org)
    alert = charter.raise_alert(actor=spld_admin, membership=membership, principle=6,
                                facts="Analyse d’impact non publiée.",
                                expected_remedy="La publier.",
                                deadline=__import__("datetime").date(2030, 1, 1))
    dataset = make_dataset(spld_admin, org)
    resource = make_resource(spld_admin, dataset, WATER_CSV)
    activity = registers.create_processing_activity(actor=editor, organization=org,
                                                    **processing_fields())
    return {
        "slug": [org.slug, dataset.slug, other_org.slug],
        "rid": [str(resource.rid)],
        "uid": [str(activity.uid)],
        "alert_id": [alert.pk],
        "index": [0, 1],
    }


def _summary(failures: list[tuple[str, str, int, str]]) -> str:
    by_check = collections.Counter(name for name, *_rest in failures)
    distinct = collections.Counter(name for name, *_rest in set(
        (name, label, status) for name, label, status, _m in failures))
    lines = [f"{n:4d} {name} ({distinct[name]} distinct operation/status pairs)"
             for name, n in by_check.most_common()]
    seen = set()
    for name, label, status, message in failures:
        if (name, label, status) in seen:
            continue
        seen.add((name, label, status))
        lines.append(f"  {name}: {label} → {status}: {message[:160]!r}")
    return "\n".join(lines)


@pytest.fixture
def api_schema(db, org, other_org, spld_admin, editor, settings, tmp_path):
    from django.core.signals import request_finished, request_started
    from django.core.wsgi import get_wsgi_application
    from django.db import close_old_connections

    from spld.ledger import log

    # As Django's test client does: the test's transaction must outlive each request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)

    settings.LOG_KEY_PATH = tmp_path / "log-key"
    log.create_key()
    settings.ALLOWED_HOSTS = ["*"]
    known = _world(org, other_org, spld_admin, editor)
    schema = schemathesis.openapi.from_wsgi("/api/1/openapi.json", get_wsgi_application())
    yield schema, known
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _modes(operation) -> list[GenerationMode]:
    """Positive cases always; negative ones where something can be invalid but a string.

    Any string is a valid slug or identifier, so negating a lone string path parameter only
    makes Hypothesis search in vain (seconds per operation for no case).
    """
    raw = operation.definition.raw
    constrained = "requestBody" in raw or any(
        p.get("in") != "path" or p.get("schema", {}).get("type") != "string"
        for p in raw.get("parameters", []))
    return [GenerationMode.POSITIVE, GenerationMode.NEGATIVE] if constrained else [
        GenerationMode.POSITIVE]


def _run(schema, known, headers: dict[str, str]) -> tuple[list, int]:
    """Send the bounded cases of every operation; collect (check, operation, status, text)."""
    rng = random.Random(20261204)
    wanted = [c for c in st_checks.CHECKS.get_all() if c.__name__ in CHECKS]
    failures: list[tuple[str, str, int, str]] = []
    sent = 0

    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in _modes(operation):
            strategy = operation.as_strategy(generation_mode=mode)

            @given(case=strategy)
            @settings(max_examples=EXAMPLES, database=None, derandomize=True, deadline=None,
                      phases=[Phase.generate], suppress_health_check=list(HealthCheck))
            def probe(case: Any) -> None:
                nonlocal sent
                if case.meta.generation.mode.is_positive and case.path_parameters:
                    for name in list(case.path_parameters):
                        if name in known and rng.random() < 0.7:
                            case.path_parameters[name] = rng.choice(known[name])
                sent_headers = headers
                negative = not case.meta.generation.mode.is_positive
                if (negative and case.operation.definition.raw.get("security")
                        and "Authorization" not in (case.headers or {})):
                    sent_headers = {}  # the invalid part is the missing token: keep it missing
                # The in-process transport does not undo brotli/gzip (tested on their own in
                # test_compression); ask for plain bodies so that checks read the JSON.
                response = case.call(headers={**sent_headers, "Accept-Encoding": "identity"})
                sent += 1
                try:
                    case.validate_response(response, checks=wanted)
                except (AssertionError, FailureGroup) as exc:
                    for failure in getattr(exc, "exceptions", [exc]):
                        name = type(failure).__name__
                        try:
                            code = response.json()["error"]["code"]
                        except (ValueError, KeyError, TypeError):  # not the error envelope
                            code = response.content[:80].decode("utf-8", "replace")
                        failures.append((name, case.operation.label, response.status_code,
                                         f"{getattr(failure, 'title', failure)} [{code}] "
                                         f"query={case.query}"))

            t0 = time.monotonic()
            with contextlib.suppress(Unsatisfiable):  # nothing to make invalid
                probe()
            if os.environ.get("SPLD_FUZZ_TIMES"):
                print(f"{time.monotonic() - t0:6.2f} {mode.value} {operation.label}")
    return failures, sent


@pytest.mark.parametrize("who", ["anonymous", "token"])
def test_schemathesis_finds_no_server_error_and_no_nonconformance(api_schema, api_token, who):
    schema, known = api_schema
    headers = {"Authorization": f"Bearer {api_token}"} if who == "token" else {}
    started = time.monotonic()
    failures, sent = _run(schema, known, headers)
    elapsed = time.monotonic() - started
    print(f"\n{who}: {sent} requests in {elapsed:.1f} s, {len(failures)} failures\n"
          + _summary(failures))
    assert sent > 100
    required = [f for f in failures if f[0] not in REPORTED]
    assert not required, _summary(required)
