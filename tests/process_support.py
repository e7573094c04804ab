"""Run `spld` as a person does: a subprocess, a clean environment, a free port, HTTP checks."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

SPLD = Path(sys.executable).with_name("spld")


def spld_command(*args: str) -> list[str]:
    """The `spld` console script of this virtualenv (the one the README uses)."""
    if SPLD.exists():
        return [str(SPLD), *args]
    return [sys.executable, "-m", "spld.cli", *args]


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    """This environment without any SPLD_* variable (nor gunicorn's runtime folder)."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SPLD_", "DJANGO_")) and k != "XDG_RUNTIME_DIR"}
    env.update({"HOME": str(home), "PYTHONUNBUFFERED": "1", **extra})
    return env


def free_port() -> int:
    """A port nobody listens on (within SPLD_TEST_PORTS=first-last when it is set)."""
    span = os.environ.get("SPLD_TEST_PORTS", "")
    candidates = range(int(span.split("-")[0]), int(span.split("-")[1]) + 1) if span else [0]
    for port in candidates:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return sock.getsockname()[1]
    raise RuntimeError(f"no free port in {span}")


def wait_for(url: str, proc: subprocess.Popen, timeout: float = 90) -> requests.Response:
    """The first answer of a starting server (fails if the process dies first)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited with {proc.returncode}")
        try:
            return requests.get(url, timeout=5, allow_redirects=False)
        except requests.ConnectionError:
            time.sleep(0.3)
    raise AssertionError(f"{url} did not answer within {timeout} s")


def stop(proc: subprocess.Popen, *, timeout: float = 30) -> str:
    """Stop a server or worker started by a test and return what it wrote."""
    if proc.poll() is None:
        proc.terminate()
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
    return out or ""
