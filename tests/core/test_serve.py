"""`spld serve` behind a proxy: /healthz on plain HTTP, several instances side by side."""

from __future__ import annotations

import subprocess

import requests

from tests.process_support import clean_env, free_port, spld_command, stop, wait_for


def _serve(tmp_path, port: int) -> subprocess.Popen:
    env = clean_env(
        tmp_path, SPLD_ENV_FILE="", SPLD_SECRET_KEY="serve-test", SPLD_DATA_DIR=str(tmp_path),
        SPLD_HTTPS="true", SPLD_ALLOWED_HOSTS="donnees.exemple.fr",
    )
    return subprocess.Popen(  # noqa: S603
        spld_command("serve", "--port", str(port), "--workers", "1", "--threads", "2"),
        env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )


def test_two_instances_answer_healthz_on_plain_http_with_https_on(tmp_path):
    ports = [free_port()]
    first = _serve(tmp_path, ports[0])
    try:
        wait_for(f"http://127.0.0.1:{ports[0]}/healthz", first)
        ports.append(free_port())
        second = _serve(tmp_path, ports[1])
        try:
            wait_for(f"http://127.0.0.1:{ports[1]}/healthz", second)
            for port in ports:
                # A load balancer asks by address, on plain HTTP, behind the TLS proxy.
                health = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=10,
                                      allow_redirects=False)
                assert health.status_code == 200, health.text
                assert health.json() == {"status": "ok"}
                assert health.headers["Cache-Control"] == "no-store"
                # Everything else still goes to HTTPS on the configured host only.
                page = requests.get(f"http://127.0.0.1:{port}/", timeout=10,
                                    allow_redirects=False, headers={"Host": "donnees.exemple.fr"})
                assert page.status_code == 301
                assert page.headers["Location"] == "https://donnees.exemple.fr/"
            # No instance binds the control socket every gunicorn shares by default.
            assert not (tmp_path / ".gunicorn").exists()
        finally:
            stop(second)
    finally:
        stop(first)
