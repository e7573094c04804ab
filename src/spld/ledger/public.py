"""Machine endpoints at /log/ (outside i18n): checkpoint, key, tiles, entry bundles, cosignatures.

They follow C2SP tlog-tiles so that generic tlog clients and witnesses can read the log.
"""

from __future__ import annotations

import gzip
import re

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from spld.ledger import log, selectors, services

IMMUTABLE = "public, max-age=31536000, immutable"
# The checkpoint changes: tlog-tiles asks for no caching beyond a few seconds.
MUTABLE = "public, max-age=2"
MAX_NOTE_BYTES = 64 * 1024


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The log's base URL (named in receipts): people land on the page that lists its endpoints."""
    return HttpResponseRedirect(reverse("ledger:guarantees"))


def _text(body: str, status: int = 200, cache: str = "no-store") -> HttpResponse:
    response = HttpResponse(body, status=status, content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = cache
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _binary(request: HttpRequest, data: bytes, *, compress: bool = False) -> HttpResponse:
    encoding = None
    if compress and "gzip" in request.headers.get("Accept-Encoding", ""):
        data, encoding = gzip.compress(data, mtime=0), "gzip"
    response = HttpResponse(data, content_type="application/octet-stream")
    response["Cache-Control"] = IMMUTABLE
    response["Access-Control-Allow-Origin"] = "*"
    if compress:
        response["Vary"] = "Accept-Encoding"
    if encoding:
        response["Content-Encoding"] = encoding
    return response


@require_GET
def checkpoint(request: HttpRequest) -> HttpResponse:
    """The latest signed checkpoint with the witnesses' cosignatures."""
    cp = log.latest_checkpoint()
    if cp is None:
        return _text("no checkpoint: the log has no signing key yet\n", status=503)
    return _text(selectors.checkpoint_note(cp), cache=MUTABLE)


@require_GET
def key(request: HttpRequest) -> HttpResponse:
    """The log's verifier key, signed-note vkey format."""
    try:
        return _text(log.verifier_key() + "\n", cache="public, max-age=3600")
    except log.LogError:
        return _text("no log key configured\n", status=503)


_INDEX = re.compile(r"(?:x[0-9]{3}/)*[0-9]{3}")
_WIDTH = re.compile(r"[1-9][0-9]{0,2}")


def parse_tile_path(n_path: str, width: str | None) -> tuple[int, int] | None:
    """(N, W) from `x001/x234/067` and an optional `.p/<W>` width; None if malformed."""
    if not _INDEX.fullmatch(n_path):
        return None
    n = int(n_path.replace("x", "").replace("/", ""))
    # Only the canonical encoding is served (no extra leading zero groups).
    if n_path != encode_index(n):
        return None
    if width is None:
        return n, log.TILE_WIDTH
    if not _WIDTH.fullmatch(width) or int(width) >= log.TILE_WIDTH:
        return None
    return n, int(width)


def encode_index(n: int) -> str:
    """tlog-tiles path encoding: 1234067 -> x001/x234/067."""
    groups = []
    while True:
        groups.append(f"{n % 1000:03d}")
        n //= 1000
        if n == 0:
            break
    groups.reverse()
    return "/".join([f"x{g}" for g in groups[:-1]] + [groups[-1]])


def tile_path(level: int | str, n: int, width: int) -> str:
    """Path of a tile under /log/, e.g. tile/0/x001/067.p/3."""
    suffix = f".p/{width}" if width < log.TILE_WIDTH else ""
    return f"tile/{level}/{encode_index(n)}{suffix}"


def _not_found() -> HttpResponse:
    return _text("not found\n", status=404)


@require_GET
def tile(request: HttpRequest, level: str, n_path: str, width: str | None = None) -> HttpResponse:
    """A Merkle tree tile: concatenated 32-byte hashes."""
    parsed = parse_tile_path(n_path, width)
    if parsed is None or not re.fullmatch(r"0|[1-9][0-9]?", level) or int(level) > 63:
        return _not_found()
    data = log.tile(int(level), *parsed)
    return _not_found() if data is None else _binary(request, data)


@require_GET
def entries(request: HttpRequest, n_path: str, width: str | None = None) -> HttpResponse:
    """An entry bundle: big-endian uint16 length-prefixed leaves."""
    parsed = parse_tile_path(n_path, width)
    if parsed is None:
        return _not_found()
    data = log.entry_bundle(*parsed)
    return _not_found() if data is None else _binary(request, data, compress=True)


@csrf_exempt  # authenticated by the witness's signature, not by a browser session
@require_POST
def cosignature(request: HttpRequest) -> HttpResponse:
    """Receive a checkpoint cosigned by registered witnesses (tlog-cosignature lines)."""
    if len(request.body) > MAX_NOTE_BYTES:
        return _text("note too large\n", status=413)
    try:
        body = request.body.decode("utf-8")
        stored = services.submit_cosignature(cosigned_note=body)
    except UnicodeDecodeError:
        return _text("the note must be UTF-8 text\n", status=400)
    except ValidationError as exc:
        return _text(" ".join(exc.messages) + "\n", status=400)
    names = ", ".join(c.witness.name for c in stored)
    return _text(
        f"cosignature stored for {names} at size {stored[0].checkpoint.size}\n", status=201
    )
