"""deploy/: the systemd units and proxy snippets agree with the settings and the commands."""

from __future__ import annotations

import configparser
import re
import shlex
from pathlib import Path

from django.conf import settings
from django.core.management import get_commands

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def _unit(name: str) -> configparser.ConfigParser:
    unit = configparser.ConfigParser(interpolation=None, strict=True)
    unit.optionxform = str  # systemd keys are case-sensitive
    unit.read_string((DEPLOY / name).read_text())
    return unit


def test_units_run_spld_with_the_one_environment_file():
    for name, command in (("spld-server.service", "serve"), ("spld-worker.service", "worker")):
        service = _unit(name)["Service"]
        assert service["Environment"] == "SPLD_ENV_FILE=/etc/spld/env"
        assert "EnvironmentFile" not in service  # one parser: spld's own
        argv = shlex.split(service["ExecStart"])
        assert argv[0] == "/opt/spld/venv/bin/spld" and argv[1] == command
        assert command in get_commands()
        assert service["User"] == "spld" and service["ReadWritePaths"] == "/var/lib/spld"


def test_proxies_pass_host_and_scheme_and_accept_the_largest_upload():
    max_mib = settings.SPLD_UPLOAD_MAX_BYTES // 1024**2
    nginx = (DEPLOY / "nginx.conf").read_text()
    assert f"client_max_body_size {max_mib}m;" in nginx
    assert "proxy_set_header Host $host;" in nginx
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in nginx
    assert int(re.search(r"proxy_read_timeout (\d+)s;", nginx).group(1)) >= 600
    caddy = (DEPLOY / "Caddyfile").read_text()
    assert f"max_size {settings.SPLD_UPLOAD_MAX_BYTES // 1024**3}GiB" in caddy
    assert "read_timeout 10m" in caddy and "flush_interval -1" in caddy
    # Both send the backend to the port the server unit listens on.
    port = shlex.split(_unit("spld-server.service")["Service"]["ExecStart"])
    listen = port[port.index("--port") + 1]
    assert f"127.0.0.1:{listen}" in nginx and f"127.0.0.1:{listen}" in caddy
