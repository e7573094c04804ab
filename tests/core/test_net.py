"""The client address through trusted reverse proxies only (SPLD_TRUSTED_PROXIES)."""

import os
import subprocess
import sys

import pytest
from django.test import RequestFactory

from spld.core.net import client_address

rf = RequestFactory()


def _address(remote: str, forwarded: str | None = None) -> str:
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_address(rf.get("/", **extra))


def test_direct_set_up_ignores_forwarded_header(settings):
    settings.TRUSTED_PROXIES = []
    assert _address("198.51.100.9") == "198.51.100.9"
    assert _address("198.51.100.9", "203.0.113.5") == "198.51.100.9"


@pytest.mark.parametrize(
    "remote,forwarded,expected",
    [
        # nginx on the same host appended the client's address.
        ("127.0.0.1", "203.0.113.5", "203.0.113.5"),
        # The client wrote its own header; the proxy appended the real address: rightmost wins.
        ("127.0.0.1", "10.9.9.9, 203.0.113.5", "203.0.113.5"),
        ("127.0.0.1", "1.1.1.1,203.0.113.5", "203.0.113.5"),
        # Two trusted hops (load balancer in 10.0.0.0/8, then nginx).
        ("127.0.0.1", "203.0.113.5, 10.0.0.7", "203.0.113.5"),
        # Ports, brackets and IPv4-mapped IPv6 as some proxies write them.
        ("127.0.0.1", "203.0.113.5:51234", "203.0.113.5"),
        ("::1", "[2001:db8::7]:443", "2001:db8::7"),
        ("::ffff:127.0.0.1", "203.0.113.5", "203.0.113.5"),
        # Nothing forwarded, or only garbage: the proxy itself is the nearest known hop.
        ("127.0.0.1", None, "127.0.0.1"),
        ("127.0.0.1", "not-an-ip", "127.0.0.1"),
        ("127.0.0.1", "10.0.0.7", "10.0.0.7"),
    ],
)
def test_proxied_set_up_takes_the_rightmost_untrusted_hop(settings, remote, forwarded, expected):
    settings.TRUSTED_PROXIES = ["127.0.0.1", "::1", "10.0.0.0/8"]
    assert _address(remote, forwarded) == expected


def test_spoofed_header_from_an_untrusted_peer_is_ignored(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    # A client reaching the application port directly, pretending to be someone else.
    assert _address("198.51.100.9", "203.0.113.5") == "198.51.100.9"
    assert _address("198.51.100.9", "127.0.0.1") == "198.51.100.9"


def test_bad_trusted_proxy_entry_refuses_to_start(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPLD_")}
    env.update(
        SPLD_DATA_DIR=str(tmp_path), SPLD_SECRET_KEY="x", SPLD_TRUSTED_PROXIES="127.0.0.1,nginx"
    )
    result = subprocess.run(
        [sys.executable, "-c", "import spld.settings"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "SPLD_TRUSTED_PROXIES: 'nginx' is not an IP address or CIDR block" in result.stderr
