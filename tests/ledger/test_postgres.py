"""Crash and concurrency of appends with real processes (concurrency on SQLite too)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from django.db import connection

from spld.ledger import log, merkle
from spld.ledger.models import LogEntry
from spld.ledger.verify import check_local

pytestmark = [pytest.mark.pgpaths, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]

# Each iteration is one product use case: an organisation is created and logged in one
# transaction (organizations.services.create_organization); "committed i" is printed after.
APPENDER = textwrap.dedent("""
    import os, sys
    import django
    django.setup()
    from spld.accounts.models import User
    from spld.demo.territory import synthetic_siren
    from spld.organizations import services
    admin = User.objects.get(email="admin@spld.example")
    tag, count = sys.argv[1], int(sys.argv[2])
    for i in range(count):
        slug = f"{tag}-{i}"
        services.create_organization(actor=admin, slug=slug, name=slug, kind="association",
                                     siren=synthetic_siren(slug))
        print("committed", i, flush=True)
""")


@pytest.fixture
def db_env(tmp_path, settings, log_key):
    """Environment for child processes that use this test's database (SQLite or PostgreSQL)."""
    from tests.factories import make_user

    make_user("admin@spld.example", superuser=True)
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        # The test database is a file (settings_test): the children open the same file.
        url = f"sqlite:///{db['NAME']}"
    else:
        url = (f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/"
               f"{db['NAME']}")
    env = dict(
        os.environ,
        SPLD_DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="spld.settings",
        SPLD_SECRET_KEY="test",
        SPLD_DATA_DIR=str(tmp_path),
        SPLD_LOG_KEY_PATH=str(settings.LOG_KEY_PATH),
        SPLD_LOG_ORIGIN=settings.LOG_ORIGIN,
        PYTHONPATH=str(ROOT / "src"),
    )
    return env


def _spawn(env: dict, tag: str, count: int) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", APPENDER, tag, str(count)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )


def _assert_every_change_has_its_entry(prefix: str) -> int:
    from spld.organizations.models import Organization

    slugs = set(Organization.objects.filter(slug__startswith=prefix).values_list("slug", flat=True))
    logged = set(
        LogEntry.objects.filter(
            subject_type="organization", subject_id__startswith=prefix
        ).values_list("subject_id", flat=True)
    )
    assert slugs == logged  # no change without its entry, no entry without its change
    return len(slugs)


@pytest.fixture
def pg_env(db_env):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: `make test` runs it when PostgreSQL answers on "
                    "127.0.0.1:5432, or set SPLD_TEST_DATABASE_URL=postgres://…")
    return db_env


@pytest.mark.postgres
def test_kill_9_in_the_middle_of_appends_leaves_a_consistent_log(pg_env, log_key):
    from spld.ledger import services
    from tests.ledger.conftest import Thing

    services.record_many(actor=None, items=[(Thing(f"pre{i}"), "created") for i in range(50)])
    before = log.sign_checkpoint()
    proc = _spawn(pg_env, "crash", 100000)
    committed = -1
    deadline = time.monotonic() + 60
    while committed < 40 and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        committed = int(line.split()[1])
    assert committed >= 40, proc.stderr.read()
    os.kill(proc.pid, signal.SIGKILL)  # in the middle of a transaction, most likely
    proc.wait()
    n = _assert_every_change_has_its_entry("crash-")
    assert n >= committed + 1
    size, root = log.current_state()
    assert size == LogEntry.objects.count() == 50 + n
    proof = log.consistency_proof(before.size, size)
    assert merkle.verify_consistency(before.size, size, proof, bytes(before.root), root)
    assert check_local(log=lambda _m: None) == size
    # The log goes on after the crash.
    services.record(actor=None, subject=Thing("after"), action="created")
    assert check_local(log=lambda _m: None) == size + 1


def test_concurrent_processes_build_one_consistent_tree(db_env, log_key):
    # PostgreSQL: the state-row lock; SQLite (the default): BEGIN IMMEDIATE transactions.
    procs = [_spawn(db_env, f"w{k}", 60) for k in range(4)]
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        assert out.count("committed") == 60
    assert _assert_every_change_has_its_entry("w") == 240
    indexes = list(LogEntry.objects.order_by("index").values_list("index", flat=True))
    assert indexes == list(range(len(indexes)))  # no gap, no duplicate
    size = check_local(log=lambda _m: None)
    assert size == 240
    # Checkpoints signed by the different processes are all consistent with each other.
    from spld.ledger.models import Checkpoint

    cps = list(Checkpoint.objects.order_by("size"))
    assert cps
    for a, b in zip(cps, cps[1:], strict=False):
        proof = log.consistency_proof(a.size, b.size)
        assert merkle.verify_consistency(a.size, b.size, proof, bytes(a.root), bytes(b.root))
