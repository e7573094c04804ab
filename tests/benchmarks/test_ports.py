"""Benchmarks never measure a server they did not start: a taken port stops them at once."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.process_support import free_port

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
# The benchmarks that start HTTP servers, with the arguments of their shortest run.
SERVERS = {"dataapi.py": ["--rows", "10"], "pages.py": ["--seconds", "1"]}


@pytest.mark.parametrize("script", SERVERS)
def test_a_taken_port_stops_the_benchmark(script):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", free_port()))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [sys.executable, str(BENCHMARKS / script), *SERVERS[script], "--port", str(port)],
            capture_output=True, text=True, timeout=120, check=False,
        )
    assert result.returncode != 0
    assert f"port {port} is already taken" in result.stderr
    assert "RESULT" not in result.stdout


def test_every_server_benchmark_defaults_to_a_free_port():
    for script in BENCHMARKS.glob("*.py"):
        text = script.read_text()
        if 'add_argument("--port"' in text:
            assert script.name in SERVERS, f"{script.name} takes a port: test it here"
            assert 'add_argument("--port", type=int, default=0' in text
        elif '"serve"' in text or "HTTPConnection" in text:
            # No option: the script must pick a free port itself.
            assert 'bind(("127.0.0.1", 0))' in text, script.name
