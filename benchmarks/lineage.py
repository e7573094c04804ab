"""Lineage benchmark: OpenLineage ingestion over HTTP and per-run upstream queries.

    python benchmarks/lineage.py                     # 100,000 events, SQLite (default)
    python benchmarks/lineage.py --events 2000       # CI smoke run
    python benchmarks/lineage.py --postgres          # PostgreSQL (db spld_bench_lineage)

Starts a real gunicorn server (`spld serve`) on a fresh database, creates an organisation
and its API token, then POSTs OpenLineage 2-0-2 RunEvents (START + COMPLETE per run)
through /api/v1/lineage/batch in batches of --batch events with one keep-alive client.
The history is --pipelines chains of 12 jobs (job k reads dataset k, writes dataset k+1),
run once a day, so every final run has a real 11-run upstream. Then it asks
/api/1/lineage/runs/{runId}/upstream?depth=10 for random final runs over HTTP and reports
p50/p95. Targets (issue 5): ≥ 2,000 events/s; depth-10 upstream p50 < 100 ms over
100,000 events. Last line: RESULT {json}.
"""

from __future__ import annotations

import argparse
import datetime
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
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CHAIN = 12
SCHEMA = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def history(events: int, pipelines: int) -> tuple[list[dict[str, Any]], list[str]]:
    """Events in time order, and the run ids of each pipeline's last step."""
    days = max(1, -(-events // (pipelines * CHAIN * 2)))
    base = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
    out: list[dict[str, Any]] = []
    finals: list[str] = []
    for day in range(days):
        for p in range(pipelines):
            for k in range(CHAIN):
                run_id = str(uuid.uuid4())
                start = base + datetime.timedelta(days=day, minutes=k * 2 + p * 0.01)
                io = {"inputs": [{"namespace": "s3://bench", "name": f"p{p}.ds{k}"}],
                      "outputs": [{"namespace": "s3://bench", "name": f"p{p}.ds{k + 1}"}]}
                for state, at in (("START", start),
                                  ("COMPLETE", start + datetime.timedelta(minutes=1))):
                    out.append({
                        "eventType": state, "eventTime": at.isoformat(),
                        "run": {"runId": run_id, "facets": {
                            "nominalTime": {"_producer": "bench", "_schemaURL": SCHEMA,
                                            "nominalStartTime": start.isoformat()}}},
                        "job": {"namespace": "bench", "name": f"p{p}.step{k}", "facets": {}},
                        "producer": "https://github.com/spld/benchmarks", "schemaURL": SCHEMA,
                        **io,
                    })
                if k == CHAIN - 1 and len(out) <= events:
                    finals.append(run_id)
    return out[:max(events, 2)], finals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--pipelines", type=int, default=20)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--clients", type=int, default=1,
                        help="concurrent HTTP clients (the server gets as many workers)")
    parser.add_argument("--postgres", action="store_true",
                        help="use PostgreSQL at 127.0.0.1:5432 (database spld_bench_lineage)")
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="spld-bench-lineage-"))
    env = dict(os.environ, SPLD_DATA_DIR=str(data_dir), SPLD_SECRET_KEY="bench-only",
               SPLD_LOG_LEVEL="WARNING", DJANGO_SETTINGS_MODULE="spld.settings",
               SPLD_LOG_ORIGIN="bench.spld.example/log")
    if args.postgres:
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c",
                        "DROP DATABASE IF EXISTS spld_bench_lineage"], check=True)
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c",
                        "CREATE DATABASE spld_bench_lineage"], check=True)
        env["SPLD_DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/spld_bench_lineage"
    os.environ.update(env)
    spld = [sys.executable, "-m", "spld.cli"]
    subprocess.run([*spld, "migrate", "-v", "0"], check=True, env=env, cwd=ROOT)
    # `spld serve` refuses to start without its keys, as in production.
    for command in (["keys", "init"], ["log", "init-key"]):
        subprocess.run([*spld, *command], check=True, env=env, cwd=ROOT,
                       stdout=subprocess.DEVNULL)

    import django

    django.setup()
    from spld.accounts.models import User
    from spld.accounts.services import create_api_token
    from spld.organizations.models import Organization

    admin = User.objects.create_superuser(email="bench@spld.example", password="x" * 12)
    org = Organization.objects.create(slug="bench", name="Bench", kind="local_authority",
                                      siren="732829320")
    _token, clear = create_api_token(actor=admin, organization=org, name="bench")

    port = free_port()
    server = subprocess.Popen([*spld, "serve", "--port", str(port), "--workers",
                               str(args.clients), "--threads", "1"], env=env, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        events, finals = history(args.events, args.pipelines)
        bodies = [json.dumps(events[i:i + args.batch]).encode()
                  for i in range(0, len(events), args.batch)]
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {clear}"}
        def connect() -> http.client.HTTPConnection:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
            conn.connect()
            # Without TCP_NODELAY, headers and body in separate segments wait for delayed ACKs.
            conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            # Warm-up: the first request of a worker imports the whole project.
            conn.request("GET", "/api/1/lineage?node=job:bench:none")
            conn.getresponse().read()
            return conn

        def send(share: list[bytes]) -> int:
            conn, created = connect(), 0
            for body in share:
                conn.request("POST", "/api/v1/lineage/batch", body=body, headers=headers)
                response = conn.getresponse()
                payload = json.loads(response.read())
                if response.status != 200:
                    raise SystemExit(f"batch refused: {response.status} {payload}")
                created += payload["counts"].get("created", 0)
            conn.close()
            return created

        # Each client sends a contiguous slice, so a run's START and COMPLETE usually
        # travel together, as they do from a real scheduler.
        size = -(-len(bodies) // args.clients)
        shares = [bodies[i:i + size] for i in range(0, len(bodies), size)]
        started = time.perf_counter()
        with ThreadPoolExecutor(args.clients) as pool:
            created = sum(pool.map(send, shares))
        ingest_s = time.perf_counter() - started
        events_per_s = len(events) / ingest_s
        print(f"ingested {len(events):,} events ({created:,} created) in {ingest_s:.2f} s "
              f"over HTTP, batches of {args.batch}, {args.clients} client(s): "
              f"{events_per_s:,.0f} events/s "
              f"(target 2,000: x{events_per_s / 2000:.1f})")

        conn = connect()
        # Queries: the last days' final runs have a full upstream of 11 runs.
        candidates = finals[-args.pipelines * 3:] or finals
        random.seed(5)
        timings = []
        sizes = []
        for _ in range(args.queries):
            run_id = random.choice(candidates)
            t0 = time.perf_counter()
            conn.request("GET", f"/api/1/lineage/runs/{run_id}/upstream?depth=10")
            response = conn.getresponse()
            body = response.read()
            timings.append((time.perf_counter() - t0) * 1000)
            if response.status != 200:
                raise SystemExit(f"upstream failed: {response.status} {body[:200]!r}")
            sizes.append(len(json.loads(body)["runs"]))
        p50, p95 = percentile(timings, 0.5), percentile(timings, 0.95)
        print(f"upstream depth 10 over HTTP: p50 {p50:.1f} ms, p95 {p95:.1f} ms, "
              f"mean {statistics.mean(timings):.1f} ms, runs per answer {min(sizes)}–"
              f"{max(sizes)} (target p50 < 100 ms: x{100 / p50:.1f} headroom)")
        conn.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(data_dir, ignore_errors=True)
    result = {"events": len(events), "batch": args.batch, "clients": args.clients,
              "database": "postgresql" if args.postgres else "sqlite",
              "events_per_s": round(events_per_s, 1), "ingest_s": round(ingest_s, 3),
              "upstream_depth10_p50_ms": round(p50, 2),
              "upstream_depth10_p95_ms": round(p95, 2),
              "upstream_runs_min": min(sizes), "upstream_runs_max": max(sizes)}
    print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()
