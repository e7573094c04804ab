"""Page weight under load: the home page vs a dataset page, served by the production server.

Loads the demo territory into a throw-away folder, serves it with `spld serve` (gunicorn,
2 workers x 4 threads by default) and sends N concurrent keep-alive connections to each page
for a few seconds; prints p50/p99 latencies, page sizes (plain and brotli) and the ratio of
the dataset page's p99 to the home page's (the target is at most 2).

    .venv/bin/python benchmarks/pages.py                      # CI smoke run (~1-2 min)
    .venv/bin/python benchmarks/pages.py --seconds 20 --connections 64

The last line is `RESULT {json}`.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

BIN = Path(sys.executable).parent


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_taken(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def fetch(port: int, path: str, encoding: str = "identity") -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", path, headers={"Accept-Encoding": encoding})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, body


def wait_ready(port: int, proc: subprocess.Popen[bytes], seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("the server stopped before answering")
        try:
            if fetch(port, "/")[0] == 200:
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("the server did not answer in time")


def load(port: int, path: str, connections: int, seconds: float) -> dict[str, Any]:
    """`connections` threads, each one keep-alive connection, GET `path` until time is up."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        mine: list[float] = []
        while time.monotonic() < stop:
            start = time.perf_counter()
            try:
                # Browsers ask for compression; so does this client.
                conn.request("GET", path, headers={"Accept-Encoding": "br, gzip"})
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    errors[0] += 1
            except (OSError, http.client.HTTPException):
                errors[0] += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
                continue
            mine.append(time.perf_counter() - start)
        conn.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"requests": len(latencies), "errors": errors[0],
            "p50_ms": round(statistics.median(latencies) * 1000, 1) if latencies else None,
            "p99_ms": round(pct(latencies, 0.99) * 1000, 1) if latencies else None,
            "rps": round(len(latencies) / seconds, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=0, help="0: a free port")
    parser.add_argument("--seconds", type=float, default=4.0, help="load per page")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--dataset", default="", help="slug (default: the heaviest page)")
    parser.add_argument("--keep", action="store_true", help="keep the data folder")
    args = parser.parse_args()
    if args.port and port_taken(args.port):
        # Measuring whatever server already answers there would be a false result.
        raise SystemExit(f"port {args.port} is already taken: choose another with --port "
                         "or leave it out to use a free port")
    port = args.port or free_port()

    folder = Path(tempfile.mkdtemp(prefix="spld-bench-pages-"))
    env = {**os.environ, "SPLD_DATA_DIR": str(folder), "SPLD_DEMO": "true",
           "SPLD_SECRET_KEY": "bench-only-" + "x" * 40, "DJANGO_SETTINGS_MODULE": "spld.settings"}
    env.pop("SPLD_DATABASE_URL", None)
    spld = [sys.executable, "-m", "spld.cli"]
    server = None
    try:
        started = time.monotonic()
        subprocess.run([*spld, "demo", "--no-serve"], env=env, check=True,  # noqa: S603
                       stdout=subprocess.DEVNULL)
        log(f"demo loaded in {time.monotonic() - started:.0f} s")
        server = subprocess.Popen(  # noqa: S603
            [*spld, "serve", "--port", str(port), "--workers", str(args.workers),
             "--threads", str(args.threads)], env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_ready(port, server)
        slug = args.dataset or heaviest_dataset(port)
        pages = {"home": "/", "dataset": f"/donnees/{slug}/"}
        result: dict[str, Any] = {"dataset_slug": slug, "connections": args.connections,
                                  "seconds": args.seconds, "workers": args.workers,
                                  "threads": args.threads}
        for name, path in pages.items():
            status, plain = fetch(port, path)
            _s, packed = fetch(port, path, "br")
            if status != 200:
                raise SystemExit(f"{path} answered {status}")
            load(port, path, args.connections, 1.0)  # warm-up (caches, connections)
            stats = load(port, path, args.connections, args.seconds)
            result[name] = {"path": path, "bytes": len(plain), "bytes_br": len(packed), **stats}
            log(f"{name:8} {path:40} {len(plain) / 1024:7.1f} KB ({len(packed) / 1024:5.1f} KB "
                f"br)  p50 {stats['p50_ms']} ms  p99 {stats['p99_ms']} ms  {stats['rps']} req/s"
                f"  errors {stats['errors']}")
        ratio = result["dataset"]["p99_ms"] / result["home"]["p99_ms"]
        result["p99_ratio_dataset_to_home"] = round(ratio, 2)
        log(f"dataset p99 / home p99 = {ratio:.2f} (target <= 2)")
        print("RESULT " + json.dumps(result))
    finally:
        if server is not None and server.poll() is None:
            server.terminate()
            server.wait(timeout=30)
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


def heaviest_dataset(port: int) -> str:
    """The published dataset whose page weighs most (the one a re-user is likely to open)."""
    _s, body = fetch(port, "/api/1/datasets/?page_size=100")
    slugs = [d["slug"] for d in json.loads(body)["data"]]
    sizes = {slug: len(fetch(port, f"/donnees/{slug}/")[1]) for slug in slugs}
    if not sizes:
        raise SystemExit("no published dataset in the demo")
    return max(sizes, key=sizes.__getitem__)


if __name__ == "__main__":
    main()
