"""Data API benchmark: SPLD vs a plain DuckDB conversion, frictionless, Datasette and PostgreSQL.

One deterministic table (ids, stop, line, commune, timestamp, ticket, count, amount, weekday,
flag) is loaded into each system in the same run; every HTTP server listens on loopback.

    .venv/bin/python benchmarks/dataapi.py --rows 10000000        # full size
    .venv/bin/python benchmarks/dataapi.py --rows 100000          # CI smoke run

Ratios > 1 mean SPLD is faster. The last line is `RESULT {json}`.
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import os
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
STOP = "S0042"
SECOND = ("weekday", "Monday")
SCHEMA = {"fields": [
    {"name": "id", "type": "integer", "constraints": {"required": True}},
    {"name": "stop", "type": "string", "constraints": {"required": True}},
    {"name": "line", "type": "string"},
    {"name": "commune", "type": "string", "constraints": {"pattern": "29[0-9]{3}"}},
    {"name": "ts", "type": "datetime"},
    {"name": "ticket", "type": "string",
     "constraints": {"enum": ["T1H", "MENS", "ANN", "P24", "SOL", "SCO"]}},
    {"name": "count", "type": "integer", "constraints": {"minimum": 0}},
    {"name": "amount", "type": "number", "constraints": {"minimum": 0}},
    {"name": "weekday", "type": "string"},
    {"name": "flag", "type": "boolean"},
]}
PG_TYPES = ("id bigint, stop text, line text, commune text, ts timestamp, ticket text, "
            "count integer, amount double precision, weekday text, flag boolean")


def log(msg: str) -> None:
    print(msg, flush=True)


def generate_csv(path: Path, rows: int) -> None:
    """The deterministic table (integer arithmetic on the row number, no random generator)."""
    import duckdb

    duckdb.connect().execute(f"""COPY (SELECT i AS id,
      'S' || lpad(CAST((i * 7919) % 1500 AS VARCHAR), 4, '0') AS stop,
      'L' || CAST((i * 31) % 40 AS VARCHAR) AS line,
      ['29011','29019','29061','29069','29075','29189','29212','29235'][(i * 13) % 8 + 1]
        AS commune,
      TIMESTAMP '2024-01-01' + to_seconds(CAST(i * 3 AS BIGINT)) AS ts,
      ['T1H','MENS','ANN','P24','SOL','SCO'][(i * 17) % 6 + 1] AS ticket,
      1 + (i * 37) % 9 AS count, round(((i * 41) % 500) / 100.0, 2) AS amount,
      dayname(TIMESTAMP '2024-01-01' + to_seconds(CAST(i * 3 AS BIGINT))) AS weekday,
      (i % 10) = 0 AS flag
      FROM range({rows}) t(i)) TO '{path}' (HEADER)""")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


class Http:
    """A keep-alive HTTP client timing whole responses (body fully read)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)

    def get(self, path: str) -> tuple[int, bytes, float]:
        start = time.perf_counter()
        try:
            self.conn.request("GET", path)
            response = self.conn.getresponse()
        except (http.client.HTTPException, OSError):
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
            self.conn.request("GET", path)
            response = self.conn.getresponse()
        body = response.read()
        return response.status, body, time.perf_counter() - start

    def timed(self, path: str, repeat: int, warmup: int = 2) -> dict[str, float]:
        for _ in range(warmup):
            status, body, _t = self.get(path)
            if status != 200:
                raise RuntimeError(f"{path} → {status}: {body[:300]!r}")
        times = [self.get(path)[2] * 1000 for _ in range(repeat)]
        return {"p50_ms": round(statistics.median(times), 2), "p95_ms": round(pct(times, .95), 2)}

    def stream(self, path: str, max_seconds: float | None = None) -> tuple[int, float]:
        """Newlines received and seconds taken (stops after max_seconds if given)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        start = time.perf_counter()
        conn.request("GET", path)
        response = conn.getresponse()
        lines = 0
        while block := response.read(1 << 20):
            lines += block.count(b"\n")
            if max_seconds and time.perf_counter() - start > max_seconds:
                break
        elapsed = time.perf_counter() - start
        conn.close()
        return lines, elapsed


def port_for(requested: int, option: str, avoid: tuple[int, ...] = ()) -> int:
    """`requested` if nobody listens there (0: any free port); otherwise stop the run."""
    for _attempt in range(20):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", requested))
            except OSError:
                # Measuring whatever server already answers there would be a false result.
                raise SystemExit(f"port {requested} is already taken: choose another with "
                                 f"{option} or leave it out to use a free port") from None
            port = sock.getsockname()[1]
        if port not in avoid:
            return port
        if requested:
            raise SystemExit(f"{option} {requested} is already used by this run")
    raise SystemExit(f"no free port for {option}")


def wait_port(port: int, proc: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server on port {port} exited with {proc.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/")
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"server on port {port} did not start")


def rss_mb(pid: int, field: str = "VmHWM") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False)
    return [int(p) for p in out.stdout.split()]


# --- the peers -----------------------------------------------------------------------------

def floor_conversion(csv: Path, work: Path, rows: int) -> float:
    import duckdb

    out = work / "floor.parquet"
    start = time.perf_counter()
    duckdb.connect().execute(f"COPY (SELECT * FROM read_csv('{csv}')) TO '{out}' "
                             "(FORMAT parquet)")
    seconds = time.perf_counter() - start
    out.unlink()
    return rows / seconds


def frictionless_rate(csv: Path, work: Path, rows: int) -> float | None:
    try:
        from frictionless import Resource, Schema
    except ImportError:
        return None
    sample_rows = min(rows, 200_000)
    sample = work / "sample.csv"
    with open(csv) as src, open(sample, "w") as dst:
        for i, line in enumerate(src):
            if i > sample_rows:
                break
            dst.write(line)
    start = time.perf_counter()
    report = Resource(path=sample.name, basepath=str(work),
                      schema=Schema.from_descriptor(SCHEMA)).validate()
    seconds = time.perf_counter() - start
    if not report.valid:
        log(f"  frictionless found errors: {report.flatten(['type', 'note'])[:3]}")
    return sample_rows / seconds


def postgres(csv: Path, url: str, rows: int, repeat: int) -> dict[str, Any] | None:
    try:
        import psycopg
    except ImportError:
        return None
    parsed = urllib.parse.urlsplit(url)
    dbname = parsed.path.lstrip("/")
    admin_url = urllib.parse.urlunsplit(parsed._replace(path="/postgres"))
    try:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{dbname}"')
            admin.execute(f'CREATE DATABASE "{dbname}"')
    except psycopg.Error as exc:
        log(f"  PostgreSQL unavailable: {exc}")
        return None
    out: dict[str, Any] = {}
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE TABLE t ({PG_TYPES})")
        start = time.perf_counter()
        with conn.cursor() as cur, cur.copy("COPY t FROM STDIN WITH (FORMAT csv, HEADER true)") \
                as copy, open(csv, "rb") as fh:
            while block := fh.read(1 << 20):
                copy.write(block)
        out["copy_rows_per_s"] = rows / (time.perf_counter() - start)
        conn.execute("CREATE INDEX ON t (stop)")
        conn.execute("ANALYZE t")
        times = []
        for i in range(repeat + 1):
            start = time.perf_counter()
            conn.execute("SELECT * FROM t WHERE stop = %s ORDER BY ts LIMIT 100", [STOP]).fetchall()
            conn.execute("SELECT count(*) FROM t WHERE stop = %s", [STOP]).fetchall()
            if i:
                times.append((time.perf_counter() - start) * 1000)
        out["filtered_p50_ms"] = statistics.median(times)
        times = []
        for i in range(min(repeat, 5) + 1):
            start = time.perf_counter()
            conn.execute("SELECT commune, sum(amount), count(*) FROM t GROUP BY commune").fetchall()
            if i:
                times.append((time.perf_counter() - start) * 1000)
        out["aggregate_p50_ms"] = statistics.median(times)
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{dbname}"')
    return out


def datasette(csv: Path, work: Path, rows: int, port: int, repeat: int) -> dict[str, Any] | None:
    exe = BIN / "datasette"
    if not exe.exists():
        return None
    import duckdb

    db = work / "bench.db"
    start = time.perf_counter()
    lite = sqlite3.connect(db)
    lite.execute("PRAGMA journal_mode=OFF")
    lite.execute("PRAGMA synchronous=OFF")
    lite.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, stop TEXT, line TEXT, commune TEXT, "
                 "ts TEXT, ticket TEXT, count INTEGER, amount REAL, weekday TEXT, flag INTEGER)")
    reader = duckdb.connect().execute(
        f"SELECT id, stop, line, commune, strftime(ts, '%Y-%m-%d %H:%M:%S'), ticket, count, "
        f"amount, weekday, flag::INT FROM read_csv('{csv}')").to_arrow_reader(200_000)
    for batch in reader:
        lite.executemany("INSERT INTO t VALUES (?,?,?,?,?,?,?,?,?,?)",
                         zip(*[c.to_pylist() for c in batch.columns], strict=True))
    for column in ("stop", "weekday", "ts", "commune"):
        lite.execute(f"CREATE INDEX t_{column} ON t ({column})")
    lite.commit()
    lite.close()
    load_s = time.perf_counter() - start
    proc = subprocess.Popen(
        [str(exe), "serve", str(db), "-p", str(port), "--setting", "sql_time_limit_ms", "600000",
         "--setting", "num_sql_threads", "2", "--setting", "max_returned_rows", "1000",
         "--setting", "facet_time_limit_ms", "600000"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_port(port, proc)
        client = Http(port)
        out: dict[str, Any] = {"load_rows_per_s": rows / load_s}
        out["filtered"] = client.timed(f"/bench/t.json?stop={STOP}&_sort=ts&_size=100&_nofacet=1",
                                       repeat)
        out["filtered_facets"] = client.timed(f"/bench/t.json?stop={STOP}&_sort=ts&_size=100",
                                              max(3, repeat // 4))
        sql = urllib.parse.quote("select commune, sum(amount), count(*) from t group by commune")
        out["aggregate"] = client.timed(f"/bench.json?sql={sql}", 3, warmup=1)
        lines, seconds = client.stream("/bench/t.csv?_stream=on&_size=max", max_seconds=20)
        out["export_rows_per_s"] = max(lines - 1, 0) / seconds
        return out
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)


# --- SPLD ------------------------------------------------------------------------------------

BENCH_LOG_ORIGIN = "bench.spld.example/log"


def spld_ingest(csv: Path, data_dir: Path, rows: int) -> dict[str, Any]:
    data_dir.mkdir(parents=True, exist_ok=True)
    os.environ["SPLD_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("SPLD_SECRET_KEY", "benchmark-only-not-secret")
    os.environ.setdefault("SPLD_LOG_ORIGIN", BENCH_LOG_ORIGIN)
    os.environ["DJANGO_SETTINGS_MODULE"] = "spld.settings"
    import django

    django.setup()
    from django.core.management import call_command

    from spld.accounts.models import User
    from spld.catalog import services
    from spld.organizations.models import Organization

    call_command("migrate", verbosity=0)
    # The production server refuses to start without its keys, as it should.
    call_command("keys", "init", stdout=io.StringIO())
    call_command("log", "init-key", stdout=io.StringIO())
    admin = User.objects.create_superuser(email="bench@spld.example", password="bench-only-pw")
    org = Organization.objects.create(slug="operateur-bibus", name="Opérateur Bibus",
                                      kind="delegated_operator", siren="130025265")
    dataset = services.create_dataset(
        actor=admin, publisher=org, title="Validations (banc d’essai)", publish=True,
        purpose="Banc d’essai.", general_interest="Mesurer.", retention_period="1 jour",
        schema=SCHEMA)
    resource = services.create_resource(actor=admin, dataset=dataset, title="Validations")

    def blocks() -> Any:
        with open(csv, "rb") as fh:
            while block := fh.read(1 << 20):
                yield block

    # Staged as an upload is: streamed to disk with its checksum computed on the way in.
    start = time.perf_counter()
    staged = services.receive_upload(actor=admin, resource=resource, chunks=blocks(),
                                     filename="bench.csv")
    upload_s = time.perf_counter() - start
    marks: dict[str, float] = {}

    def progress(percent: int, message: str) -> None:
        marks.setdefault(f"{percent}", time.perf_counter())

    start = time.perf_counter()
    version = services.ingest_staged(actor=admin, resource=resource, staged=staged,
                                     filename="bench.csv", progress=progress)
    end = time.perf_counter()
    ingest_s = marks["100"] - start  # CSV → validated Parquet + profile
    phases = ", ".join(f"{p}% at {marks[p] - start:.1f} s" for p in sorted(marks, key=int))
    return {"rid": str(resource.rid), "ingest_s": ingest_s, "rows": version.row_count,
            "ingest_rows_per_s": rows / ingest_s, "query_cache_s": end - marks["100"],
            "parquet_mb": version.byte_size / 1e6, "upload_s": upload_s, "phases": phases}


def spld_server(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SPLD_DATA_DIR": str(data_dir), "SPLD_DEBUG": "0",
           "SPLD_SECRET_KEY": "benchmark-only-not-secret", "SPLD_ALLOWED_HOSTS": "127.0.0.1",
           "SPLD_LOG_LEVEL": "WARNING", "SPLD_LOG_ORIGIN": BENCH_LOG_ORIGIN}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.Popen(
        [str(BIN / "gunicorn"), "spld.wsgi:application", "-b", f"127.0.0.1:{port}",
         "--workers", "1", "--threads", "4", "--timeout", "600"],
        env=env, cwd=str(ROOT), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--port", type=int, default=0,
                        help="SPLD server port (default: a free port; a taken one stops the run)")
    parser.add_argument("--datasette-port", type=int, default=0,
                        help="Datasette port (default: a free port)")
    parser.add_argument("--pg-url", default=os.environ.get(
        "SPLD_BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/spld_bench_dataapi"))
    parser.add_argument("--skip-peers", action="store_true",
                        help="only SPLD and the DuckDB floor (no frictionless/Datasette/PG)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args()
    args.port = port_for(args.port, "--port")
    args.datasette_port = port_for(args.datasette_port, "--datasette-port", avoid=(args.port,))
    work = Path(tempfile.mkdtemp(prefix="spld-bench-dataapi-"))
    rows = args.rows
    result: dict[str, Any] = {"rows": rows}
    try:
        csv = work / "validations.csv"
        start = time.perf_counter()
        generate_csv(csv, rows)
        log(f"table: {rows:,} rows, {csv.stat().st_size / 1e6:.0f} MB CSV "
            f"(generated in {time.perf_counter() - start:.1f} s)")

        floor = floor_conversion(csv, work, rows)
        log(f"DuckDB CSV→Parquet (floor): {floor:,.0f} rows/s")
        spld = spld_ingest(csv, work / "spld", rows)
        log(f"SPLD upload staged in {spld['upload_s']:.1f} s (not counted: network time)")
        log(f"SPLD ingest (validated Parquet + profile): {spld['ingest_rows_per_s']:,.0f} rows/s "
            f"({spld['ingest_s']:.1f} s: {spld['phases']}; query cache built in "
            f"{spld['query_cache_s']:.1f} s)")
        result["ingest_rows_per_s"] = round(spld["ingest_rows_per_s"])
        result["floor_rows_per_s"] = round(floor)
        result["ingest_vs_floor"] = round(spld["ingest_rows_per_s"] / floor, 3)

        server = spld_server(work / "spld", args.port)
        try:
            wait_port(args.port, server)
            client = Http(args.port)
            base = f"/api/1/resources/{spld['rid']}/data/"
            filtered = client.timed(f"{base}?stop__exact={STOP}&ts__sort=asc&page_size=100",
                                    args.repeat)
            filtered2 = client.timed(f"{base}?{SECOND[0]}__exact={SECOND[1]}&ts__sort=asc"
                                     "&page_size=100", args.repeat)
            aggregate = client.timed(f"{base}?commune__groupby&amount__sum&count__sum",
                                     args.repeat)
            workers = children(server.pid) or [server.pid]
            lines, seconds = client.stream(f"{base}csv/")
            export_rps = (lines - 1) / seconds
            peak = max(rss_mb(pid) for pid in workers)
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        log(f"SPLD filtered page: p50 {filtered['p50_ms']} ms, p95 {filtered['p95_ms']} ms")
        log(f"SPLD filtered page, 2nd column: p50 {filtered2['p50_ms']} ms, "
            f"p95 {filtered2['p95_ms']} ms")
        log(f"SPLD group-by: p50 {aggregate['p50_ms']} ms, p95 {aggregate['p95_ms']} ms")
        log(f"SPLD CSV export: {export_rps:,.0f} rows/s, worker peak RSS {peak:.0f} MB")
        result.update({"filtered_p50_ms": filtered["p50_ms"], "filtered_p95_ms": filtered["p95_ms"],
                       "filtered2_p50_ms": filtered2["p50_ms"],
                       "aggregate_p50_ms": aggregate["p50_ms"],
                       "aggregate_p95_ms": aggregate["p95_ms"],
                       "export_rows_per_s": round(export_rps),
                       "export_peak_rss_mb": round(peak, 1)})

        if not args.skip_peers:
            fl = frictionless_rate(csv, work, rows)
            if fl:
                log(f"frictionless validate: {fl:,.0f} rows/s")
                result["frictionless_rows_per_s"] = round(fl)
                result["ingest_vs_frictionless"] = round(spld["ingest_rows_per_s"] / fl, 1)
            pg = postgres(csv, args.pg_url, rows, args.repeat)
            if pg:
                log(f"PostgreSQL COPY: {pg['copy_rows_per_s']:,.0f} rows/s; filtered "
                    f"{pg['filtered_p50_ms']:.1f} ms; group-by {pg['aggregate_p50_ms']:.0f} ms")
                result["postgres_copy_rows_per_s"] = round(pg["copy_rows_per_s"])
                result["ingest_vs_postgres_copy"] = round(
                    spld["ingest_rows_per_s"] / pg["copy_rows_per_s"], 2)
                result["postgres_aggregate_p50_ms"] = round(pg["aggregate_p50_ms"], 1)
                result["aggregate_vs_postgres"] = round(
                    pg["aggregate_p50_ms"] / aggregate["p50_ms"], 1)
            ds = datasette(csv, work, rows, args.datasette_port, args.repeat)
            if ds:
                log(f"Datasette: filtered p50 {ds['filtered']['p50_ms']} ms "
                    f"({ds['filtered_facets']['p50_ms']} ms with facets); group-by p50 "
                    f"{ds['aggregate']['p50_ms']} ms; CSV {ds['export_rows_per_s']:,.0f} rows/s")
                result["datasette_filtered_p50_ms"] = ds["filtered"]["p50_ms"]
                result["datasette_aggregate_p50_ms"] = ds["aggregate"]["p50_ms"]
                result["datasette_export_rows_per_s"] = round(ds["export_rows_per_s"])
                result["filtered_vs_datasette"] = round(
                    ds["filtered"]["p50_ms"] / filtered["p50_ms"], 2)
                result["aggregate_vs_datasette"] = round(
                    ds["aggregate"]["p50_ms"] / aggregate["p50_ms"], 1)
                result["export_vs_datasette"] = round(export_rps / ds["export_rows_per_s"], 1)
        log("")
        for key, value in result.items():
            log(f"  {key:28} {value}")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print("RESULT " + json.dumps(result, sort_keys=True), flush=True)


if __name__ == "__main__":
    main()
