"""SSRF: remote files follow at most 3 redirects, each hop and each DNS answer checked once.

Real HTTP servers on 127.0.0.1 and 127.0.0.2 (ports 9150-9199); DNS names of the attacker are
answered by a scripted resolver (the one seam: no DNS server we control runs here).
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from ipaddress import ip_address

import pytest
from django.core.management import call_command

from spld.catalog import fetch
from spld.catalog.fetch import FetchError, fetch_to_file
from spld.catalog.models import Resource
from tests.catalog.helpers import WATER_CSV, make_dataset

PORT = 9161


class _Server:
    """A tiny HTTP server: /file.csv serves data, /hop/N redirects N more times, /to?u= anywhere."""

    def __init__(self, host: str, body: bytes) -> None:
        self.hits: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                server.hits.append(self.path)
                if self.path.startswith("/hop/"):
                    left = int(self.path.rsplit("/", 1)[1])
                    target = "/file.csv" if left <= 1 else f"/hop/{left - 1}"
                    self._redirect(target)
                elif self.path.startswith("/to?u="):
                    self._redirect(self.path.split("=", 1)[1])
                else:
                    self.send_response(200)
                    self.send_header("Content-Type", "text/csv")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)

            def _redirect(self, location: str) -> None:
                self.send_response(302)
                self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer((host, PORT), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> _Server:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def origin():
    """The allowed file server, on 127.0.0.1."""
    with _Server("127.0.0.1", WATER_CSV) as server:
        yield server


@pytest.fixture
def internal():
    """An internal service on 127.0.0.2 that must never be reached."""
    with _Server("127.0.0.2", b"secret;interne\n1;2\n") as server:
        yield server


@pytest.fixture
def resolver(monkeypatch):
    """Attacker-controlled DNS: scripted answers per name (a list is served in turn)."""
    answers: dict[str, list[list[str]]] = {}
    calls: list[str] = []
    real = fetch.resolve_host

    def resolve(host: str, port: int):
        calls.append(host)
        if host not in answers:
            return real(host, port)
        queue = answers[host]
        current = queue.pop(0) if len(queue) > 1 else queue[0]
        return [ip_address(a) for a in current]

    monkeypatch.setattr(fetch, "resolve_host", resolve)
    resolve.answers, resolve.calls = answers, calls  # type: ignore[attr-defined]
    return resolve


@pytest.fixture
def allow_origin(settings):
    # The test server is on loopback: allow that one address, nothing else.
    settings.SPLD_FETCH_ALLOWED_HOSTS = ["127.0.0.1"]


BASE = f"http://127.0.0.1:{PORT}"


def test_up_to_three_redirects_are_followed(tmp_path, origin, allow_origin):
    name, size = fetch_to_file(f"{BASE}/hop/3", tmp_path / "f")
    assert (name, size) == ("file.csv", len(WATER_CSV))
    assert (tmp_path / "f").read_bytes() == WATER_CSV
    assert origin.hits == ["/hop/3", "/hop/2", "/hop/1", "/file.csv"]


def test_a_fourth_redirect_is_refused(tmp_path, origin, allow_origin):
    with pytest.raises(FetchError) as refused:
        fetch_to_file(f"{BASE}/hop/4", tmp_path / "f")
    assert refused.value.code == "redirects" and "au plus 3" in refused.value.message
    assert "/file.csv" not in origin.hits


@pytest.mark.parametrize(
    "target",
    [
        f"http://127.0.0.2:{PORT}/file.csv",  # another loopback service
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata
        f"http://[::ffff:127.0.0.2]:{PORT}/file.csv",  # IPv4-mapped IPv6
        f"http://2130706434:{PORT}/file.csv",  # 127.0.0.2 written as an integer
        "file:///etc/passwd",
    ],
)
def test_every_redirect_hop_passes_the_address_check(
    tmp_path, origin, internal, allow_origin, target
):
    with pytest.raises(FetchError) as refused:
        fetch_to_file(f"{BASE}/to?u={target}", tmp_path / "f")
    assert refused.value.code in ("forbidden_address", "bad_url")
    assert internal.hits == []


def test_redirect_to_a_name_answering_loopback_is_refused(
    tmp_path, origin, internal, allow_origin, resolver
):
    resolver.answers["files.attacker.example"] = [["127.0.0.2"]]
    with pytest.raises(FetchError) as refused:
        fetch_to_file(f"{BASE}/to?u=http://files.attacker.example:{PORT}/file.csv", tmp_path / "f")
    assert refused.value.code == "forbidden_address"
    assert "Redirection refusée : files.attacker.example" in refused.value.message
    assert internal.hits == [] and "files.attacker.example" in resolver.calls


def test_every_address_of_a_dns_answer_is_checked(tmp_path, internal, allow_origin, resolver):
    # One allowed address is not enough: the connection could go to any of them.
    resolver.answers["mixed.attacker.example"] = [["127.0.0.1", "127.0.0.2"]]
    with pytest.raises(FetchError) as refused:
        fetch_to_file(f"http://mixed.attacker.example:{PORT}/file.csv", tmp_path / "f")
    assert refused.value.code == "forbidden_address" and internal.hits == []


def test_resolved_once_and_connected_to_the_checked_address(
    tmp_path, origin, internal, allow_origin, resolver
):
    # DNS rebinding: the check sees 127.0.0.1, any later lookup would answer 127.0.0.2.
    resolver.answers["rebind.attacker.example"] = [["127.0.0.1"], ["127.0.0.2"]]
    fetch_to_file(f"http://rebind.attacker.example:{PORT}/file.csv", tmp_path / "f")
    assert (tmp_path / "f").read_bytes() == WATER_CSV
    assert origin.hits == ["/file.csv"] and internal.hits == []
    assert resolver.calls.count("rebind.attacker.example") == 1


def test_embedded_private_ipv4_addresses_are_not_public():
    for address in ("64:ff9b::7f00:1", "2002:7f00:1::", "::7f00:1", "::ffff:10.0.0.1"):
        assert not fetch._is_public(ip_address(address)), address
    assert fetch._is_public(ip_address("2a01:cb00::1"))


@pytest.mark.django_db(transaction=True)
def test_publisher_sees_a_refused_redirect_as_a_failed_resource(
    client, api_token, editor, org, origin, internal, allow_origin
):
    dataset = make_dataset(editor, org, title="Distant")
    url = f"{BASE}/to?u=http://127.0.0.2:{PORT}/file.csv"
    response = client.post(
        f"/api/1/datasets/{dataset.slug}/resources",
        json.dumps({"title": "Distant", "url": url}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {api_token}",
    )
    # The first URL is allowed: the refusal comes from the redirect, in the task.
    assert response.status_code == 202, response.content
    call_command("db_worker", batch=True, reload=False)
    resource = Resource.objects.get(dataset=dataset)
    assert resource.ingest_status == "failed"
    assert "Redirection refusée : 127.0.0.2" in resource.ingest_error
    assert resource.current_version is None and internal.hits == []
