"""Compressed responses (brotli, gzip), streams compressed as they go, hashed static files."""

from __future__ import annotations

import gzip
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import brotli
import pytest

from spld.core.compression import accepted, compress_stream
from tests.catalog.helpers import make_dataset, make_resource
from tests.live_support import free_port
from tests.process_support import clean_env


def _decode(data: bytes, encoding: str) -> bytes:
    return brotli.decompress(data) if encoding == "br" else gzip.decompress(data)


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize(("header", "expected"), [
    ("gzip, deflate, br", "br"), ("gzip", "gzip"), ("br;q=0, gzip;q=0.5", "gzip"),
    ("identity", None), ("", None), ("*", "br"), ("br;q=0, *;q=0", None),
])
def test_accept_encoding_is_read_with_its_weights(header, expected):
    assert accepted(header) == expected


@pytest.mark.django_db
@pytest.mark.parametrize("encoding", ["br", "gzip"])
@pytest.mark.parametrize("path", ["/", "/donnees/", "/api/1/datasets/", "/api/1/openapi.json"])
def test_html_and_json_are_compressed(client, editor, org, path, encoding):
    make_dataset(editor, org, title="Consommation d’eau")
    plain = client.get(path)
    packed = client.get(path, HTTP_ACCEPT_ENCODING=encoding)
    assert plain.status_code == packed.status_code == 200
    assert "Content-Encoding" not in plain
    assert packed["Content-Encoding"] == encoding
    assert "Accept-Encoding" in packed["Vary"]
    assert len(packed.content) < len(plain.content)
    assert int(packed["Content-Length"]) == len(packed.content)
    # Same page once decoded (CSRF tokens aside, which differ on every response).
    strip = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')
    assert strip.sub(b"", _decode(packed.content, encoding)) == strip.sub(b"", plain.content)


@pytest.mark.django_db
@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_csv_exports_are_compressed_and_ranges_are_not(client, editor, org, encoding):
    lines = ["n;nom"] + [f"{i};commune {i % 50}" for i in range(1, 5001)]
    resource = make_resource(editor, make_dataset(editor, org, title="Compressé"),
                             ("\n".join(lines) + "\n").encode())
    base = f"/api/1/resources/{resource.rid}/data/csv/"
    for path in (base, base + "?n__greater=0"):  # the cached file and a filtered stream
        plain = _body(client.get(path))
        packed = client.get(path, HTTP_ACCEPT_ENCODING=encoding)
        assert packed["Content-Encoding"] == encoding and "Content-Length" not in packed
        data = _body(packed)
        assert _decode(data, encoding) == plain and len(data) < len(plain) / 3
    part = client.get(base, HTTP_ACCEPT_ENCODING=encoding, HTTP_RANGE="bytes=0-9")
    assert part.status_code == 206 and "Content-Encoding" not in part
    head = client.head(base, HTTP_ACCEPT_ENCODING=encoding)
    assert "Content-Encoding" not in head and head["Content-Length"] == str(len(plain))
    # The compressed copy has its own validator, and revalidates.
    packed = client.get(base, HTTP_ACCEPT_ENCODING=encoding)
    assert packed["ETag"].endswith(f'-{encoding}"')
    assert client.get(base, HTTP_IF_NONE_MATCH=packed["ETag"]).status_code == 304


@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_streams_are_compressed_chunk_by_chunk(encoding):
    produced: list[int] = []

    def source():
        for i in range(5):
            produced.append(i)
            yield (f"{i}," * 20_000).encode()

    out = compress_stream(source(), encoding)
    first = next(out)
    assert first and produced == [0]  # output before the rest of the input was read
    rest = b"".join(out)
    assert _decode(first + rest, encoding) == b"".join((f"{i}," * 20_000).encode()
                                                       for i in range(5))




def _get(url: str, **headers: str):
    return urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=20)  # noqa: S310


def test_production_server_serves_hashed_precompressed_static_files(tmp_path: Path):
    """`spld collectstatic` then `spld serve` (gunicorn): hashed names, a year, immutable."""
    data = tmp_path / "data"
    data.mkdir()
    env = clean_env(tmp_path, SPLD_ENV_FILE="", SPLD_DATA_DIR=str(data),
                    SPLD_SECRET_KEY="x" * 50, SPLD_LOG_ORIGIN="test.example/log",
                    SPLD_VAULT_MASTER_KEY_PATH=str(tmp_path / "secrets" / "vault-master.key"))
    spld = [sys.executable, "-m", "spld.cli"]
    # A production start: migrated database and keys (the server refuses to start without).
    for step in (["migrate", "--noinput", "-v0"], ["keys", "init"], ["log", "init-key"]):
        subprocess.run([*spld, *step], env=env, check=True, timeout=300, capture_output=True)
    subprocess.run([*spld, "collectstatic", "--noinput", "-v0"], env=env, check=True,
                   timeout=300)
    port = free_port()
    server = subprocess.Popen([*spld, "serve", "--port", str(port), "--workers", "1",  # noqa: S603
                               "--threads", "2"], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                page = _get(base + "/", **{"Accept-Encoding": "br"})
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("spld serve did not answer")
        assert page.headers["Content-Encoding"] == "br"
        html = brotli.decompress(page.read()).decode()
        css = re.search(r'href="(/static/[^"]+\.[0-9a-f]{12}\.css)"', html)
        assert css, "stylesheet not under a hashed name"
        static = _get(base + css.group(1), **{"Accept-Encoding": "br, gzip"})
        assert static.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert static.headers["Content-Encoding"] == "br"
        assert b"{" in brotli.decompress(static.read())
    finally:
        server.terminate()
        server.wait(timeout=30)
