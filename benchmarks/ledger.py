"""Transparency log benchmark: SPLD's PostgreSQL-backed log against pymerkle's SQLite backend.

    python benchmarks/ledger.py --entries 1000000      # full size (default)
    python benchmarks/ledger.py --entries 2000         # CI smoke run

Creates (and drops first) a dedicated PostgreSQL database, spld_bench_ledger by default,
with only the ledger's tables. Measures: batched durable appends (record_many, 10,000 per
transaction), single appends each in its own transaction together with a record change
(as services do), inclusion proofs served over HTTP by a real gunicorn server (p50), and
client-side consistency verification. Runs pymerkle's SqliteTree on the same leaves and
proofs when pymerkle is installed (`pip install -e '.[bench]'`). Last line: RESULT {json}.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Subject:
    """A public record stand-in: what ledger.record reads from a subject."""

    ident: str
    public_type: str = "dataset"
    data: dict[str, Any] = field(default_factory=dict)

    def public_id(self) -> str:
        return self.ident

    def public_payload(self) -> dict[str, Any]:
        return self.data


def subject(i: int) -> Subject:
    return Subject(
        f"ds-{i}",
        data={
            "slug": f"ds-{i}",
            "title": f"Jeu de données n° {i}",
            "publisher": "eau-du-ponant",
            "license": "etalab-2.0",
            "keywords": ["eau", "réseau"],
            "version": i % 7,
        },
    )


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def setup_database(admin_url: str, name: str) -> str:
    import psycopg

    with psycopg.connect(admin_url + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{admin_url}/{name}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:  # noqa: C901  (a linear script)
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument(
        "--single", type=int, default=0, help="single appends (default min(2000, entries))"
    )
    parser.add_argument("--proofs", type=int, default=300, help="HTTP inclusion proofs to time")
    parser.add_argument(
        "--pg",
        default=os.environ.get("SPLD_BENCH_PG", "postgres://postgres@127.0.0.1:5432"),
        help="PostgreSQL server URL without database name",
    )
    parser.add_argument("--db", default="spld_bench_ledger")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    n = args.entries
    singles = args.single or min(2000, n)

    data_dir = Path(tempfile.mkdtemp(prefix="spld-bench-ledger-"))
    db_url = setup_database(args.pg, args.db)
    os.environ.update(
        SPLD_DATABASE_URL=db_url,
        SPLD_DATA_DIR=str(data_dir),
        SPLD_SECRET_KEY="bench-only",
        DJANGO_SETTINGS_MODULE="spld.settings",
        SPLD_LOG_LEVEL="ERROR",
    )
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    # Only the ledger's migrations and their dependencies.
    from django.core.management import call_command
    from django.db import connection, transaction

    from spld.ledger import log, merkle, selectors, services
    from spld.ledger.models import LogEntry

    call_command("migrate", "ledger", verbosity=0)
    with connection.cursor() as c:
        c.execute(
            "CREATE TABLE bench_record (id bigint PRIMARY KEY, title text, updated_at timestamptz)"
        )
    log.create_key()

    # 0. The machine's ceiling: one durable commit of one row, and the load it is under.
    import psycopg

    with psycopg.connect(db_url) as raw:
        raw.execute("CREATE TABLE bench_commit (id int)")
        raw.commit()
        t0 = time.perf_counter()
        for i in range(200):
            raw.execute("INSERT INTO bench_commit VALUES (%s)", [i])
            raw.commit()
        commit_per_s = 200 / (time.perf_counter() - t0)
    print(
        f"PostgreSQL durable commits (1 row each): {commit_per_s:,.0f}/s; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )

    # 1. Batched durable appends.
    batch = 10_000
    t0 = time.perf_counter()
    for start in range(0, n, batch):
        items = [(subject(i), "published") for i in range(start, min(n, start + batch))]
        with transaction.atomic():
            services.record_many(actor=None, items=items)
    append_s = time.perf_counter() - t0
    append_per_s = n / append_s
    print(f"batched appends: {n} entries in {append_s:.1f} s = {append_per_s:,.0f}/s")

    # 2. Single appends, each with a record change, one transaction each (as services do).
    t0 = time.perf_counter()
    for i in range(singles):
        with transaction.atomic():
            with connection.cursor() as c:
                c.execute(
                    "INSERT INTO bench_record VALUES (%s, %s, now()) ON CONFLICT (id) DO "
                    "UPDATE SET title = EXCLUDED.title, updated_at = now()",
                    [i, f"r{i}"],
                )
            services.record(actor=None, subject=subject(n + i), action="updated")
    single_s = time.perf_counter() - t0
    single_per_s = singles / single_s
    size = log.current_size()
    print(
        f"single appends with a record change: {singles} in {single_s:.1f} s "
        f"= {single_per_s:,.0f}/s"
    )
    checkpoint = log.sign_checkpoint()
    assert checkpoint.size == size

    # 3. Inclusion proofs over HTTP from a real server.
    port = free_port()
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "spld.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--log-level",
            "error",
        ],
        env=env,
        cwd=ROOT,
    )
    try:
        conn = None
        for _ in range(100):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                conn.request("GET", "/log/checkpoint")
                conn.getresponse().read()
                break
            except OSError:
                time.sleep(0.1)
        assert conn is not None
        # The same random entries are proved over HTTP and in process; the first
        # `warm_up` of each run are excluded.
        rng = random.Random(42)
        warm_up = 20
        indexes = [rng.randrange(size) for _ in range(args.proofs + warm_up)]
        latencies = []
        proof_body: dict[str, Any] = {}
        for k, index in enumerate(indexes):
            t = time.perf_counter()
            conn.request("GET", f"/api/1/log/proof/inclusion?index={index}&size={size}")
            response = conn.getresponse()
            body = response.read()
            elapsed = (time.perf_counter() - t) * 1000
            assert response.status == 200, body[:200]
            if k >= warm_up:
                latencies.append(elapsed)
            proof_body = json.loads(body)
        import base64

        leaf = bytes(LogEntry.objects.get(index=proof_body["index"]).leaf_hash)
        assert merkle.verify_inclusion(
            leaf,
            proof_body["index"],
            size,
            [base64.b64decode(h) for h in proof_body["proof"]],
            bytes(checkpoint.root),
        )
        inclusion_p50 = statistics.median(latencies)
        print(
            f"inclusion proof over HTTP at size {size}: p50 {inclusion_p50:.2f} ms, "
            f"p95 {percentile(latencies, 0.95):.2f} ms"
        )

        # 3b. The same proofs in process (the footing pymerkle is measured on): the
        # selector the API calls, reading O(log n) stored hashes from PostgreSQL.
        inprocess = []
        for k, index in enumerate(indexes):
            t = time.perf_counter()
            selectors.inclusion(index, size)
            if k >= warm_up:
                inprocess.append((time.perf_counter() - t) * 1000)
        inclusion_inprocess_p50 = statistics.median(inprocess)
        print(f"inclusion proof in process at size {size}: p50 {inclusion_inprocess_p50:.3f} ms")

        # 4. Client-side consistency verification.
        first = max(1, size // 3)
        conn.request("GET", f"/api/1/log/proof/consistency?first={first}&second={size}")
        body = json.loads(conn.getresponse().read())
        proof = [base64.b64decode(h) for h in body["proof"]]
        root1, root2 = base64.b64decode(body["first_root_hash"]), bytes(checkpoint.root)
        timings = []
        for _ in range(200):
            t = time.perf_counter()
            ok = merkle.verify_consistency(first, size, proof, root1, root2)
            timings.append((time.perf_counter() - t) * 1000)
            assert ok
        consistency_ms = statistics.median(timings)
        print(f"consistency verification {first} -> {size}: {consistency_ms:.3f} ms")
        conn.close()
    finally:
        server.terminate()
        server.wait()

    # 5. Baselines: plain hashlib root, pymerkle's SQLite backend on the same leaves.
    leaves = [
        bytes(x) for x in LogEntry.objects.order_by("index").values_list("leaf", flat=True)[:n]
    ]
    t0 = time.perf_counter()
    hashes = [merkle.leaf_hash(x) for x in leaves]
    merkle.root_hash(hashes)
    hashlib_rate = n / (time.perf_counter() - t0)
    print(f"hashlib baseline: root of {n} leaves at {hashlib_rate:,.0f} leaves/s")

    result: dict[str, Any] = {
        "entries": n,
        "append_per_s": round(append_per_s),
        "single_append_per_s": round(single_per_s),
        "inclusion_http_p50_ms": round(inclusion_p50, 3),
        "inclusion_inprocess_p50_ms": round(inclusion_inprocess_p50, 3),
        "consistency_verify_ms": round(consistency_ms, 4),
        "append_vs_pymerkle": None,
        "pg_commit_per_s": round(commit_per_s),
        "hashlib_leaves_per_s": round(hashlib_rate),
        "load_average": round(os.getloadavg()[0], 1),
        "proof_vs_pymerkle": None,
        "proof_vs_pymerkle_inprocess": None,
    }
    try:
        from pymerkle import SqliteTree
    except ImportError:
        print("pymerkle not installed (pip install -e '.[bench]'): no comparison")
    else:
        tmp = data_dir / "pymerkle.sqlite3"
        tree = SqliteTree(str(tmp))
        t0 = time.perf_counter()
        tree.append_entries(leaves)
        pm_append = n / (time.perf_counter() - t0)
        t0 = time.perf_counter()
        pm_singles = min(singles, 1000)
        for i in range(pm_singles):
            tree.append_entry(leaves[i])  # commits each append
        pm_single = pm_singles / (time.perf_counter() - t0)
        pm_size = tree.get_size()
        rng = random.Random(42)
        pm_lat = []
        for _ in range(min(args.proofs, 200)):
            index = rng.randrange(1, pm_size + 1)  # pymerkle counts from 1
            t = time.perf_counter()
            tree.prove_inclusion(index, pm_size)
            pm_lat.append((time.perf_counter() - t) * 1000)
        tree.close()
        pm_p50 = statistics.median(pm_lat)
        print(
            f"pymerkle SqliteTree: bulk {pm_append:,.0f}/s, "
            f"committed one by one {pm_single:,.0f}/s, "
            f"inclusion proof p50 {pm_p50:.2f} ms (in process)"
        )
        result["append_vs_pymerkle"] = round(append_per_s / pm_append, 3)
        result["single_append_vs_pymerkle"] = round(single_per_s / pm_single, 3)
        result["proof_vs_pymerkle"] = round(pm_p50 / inclusion_p50, 3)
        result["proof_vs_pymerkle_inprocess"] = round(pm_p50 / inclusion_inprocess_p50, 3)
        result["pymerkle"] = {
            "append_per_s": round(pm_append),
            "single_append_per_s": round(pm_single),
            "inclusion_p50_ms": round(pm_p50, 3),
        }
        print(
            f"ratios (> 1: SPLD faster): append {result['append_vs_pymerkle']}, "
            f"single append {result['single_append_vs_pymerkle']}, "
            f"proof over HTTP {result['proof_vs_pymerkle']}, "
            f"proof in process {result['proof_vs_pymerkle_inprocess']}"
        )

    connection.close()
    if not args.keep:
        import psycopg

        with psycopg.connect(args.pg + "/postgres", autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{args.db}"')
    shutil.rmtree(data_dir, ignore_errors=True)
    print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()
