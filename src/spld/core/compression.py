"""Brotli or gzip compression of text responses (HTML, JSON, CSV, CSS…), streams included.

Streamed exports are compressed chunk by chunk (each chunk flushed, so memory stays flat and
the client receives data as it is produced). Byte-range requests and the answers to HEAD
stay uncompressed: their sizes and offsets are those of the file itself.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable, Iterator
from typing import Any

import brotli
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

COMPRESSIBLE = ("text/", "application/json", "application/geo+json", "application/ld+json",
                "application/javascript", "application/xml", "application/rdf+xml",
                "application/problem+json", "image/svg+xml")
MIN_BYTES = 200  # smaller bodies do not get shorter
BROTLI_QUALITY = 5  # a dynamic-content setting: ~gzip's speed, smaller output
STREAM_BROTLI_QUALITY = 4
GZIP_LEVEL = 6
_TOKEN = re.compile(r"\s*([a-z*]+)\s*(?:;\s*q\s*=\s*([0-9.]+))?\s*", re.IGNORECASE)


def accepted(header: str) -> str | None:
    """'br', 'gzip' or None from an Accept-Encoding header (q-values respected, br first)."""
    weights: dict[str, float] = {}
    for part in header.split(","):
        match = _TOKEN.fullmatch(part)
        if not match:
            continue
        try:
            weights[match.group(1).lower()] = float(match.group(2) or 1)
        except ValueError:
            continue
    star = weights.get("*", 0.0)
    for name in ("br", "gzip"):
        if weights.get(name, star) > 0:
            return name
    return None


def _gzip() -> Any:
    return zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 16 + zlib.MAX_WBITS)


def compress_bytes(data: bytes, encoding: str) -> bytes:
    if encoding == "br":
        return brotli.compress(data, quality=BROTLI_QUALITY)
    compressor = _gzip()
    return compressor.compress(data) + compressor.flush()


def compress_stream(chunks: Any, encoding: str) -> Iterator[bytes]:
    """Compress an iterator of bytes lazily; each chunk is flushed as it comes."""
    if encoding == "br":
        compressor = brotli.Compressor(quality=STREAM_BROTLI_QUALITY)
        for chunk in chunks:
            if out := compressor.process(chunk) + compressor.flush():
                yield out
        yield compressor.finish()
    else:
        gz = _gzip()
        for chunk in chunks:
            if out := gz.compress(chunk) + gz.flush(zlib.Z_SYNC_FLUSH):
                yield out
        yield gz.flush()


class CompressionMiddleware:
    """Compress text responses with brotli or gzip, as the client's Accept-Encoding allows."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        patch = self._eligible(request, response)
        if patch:
            patch_vary_headers(response, ("Accept-Encoding",))
        encoding = accepted(request.headers.get("Accept-Encoding", "")) if patch else None
        if encoding is None:
            return response
        if response.streaming:
            response.streaming_content = compress_stream(response.streaming_content, encoding)
            del response["Content-Length"]
            if getattr(response, "spld_byte_ranges", False):
                # The ranges and the length offered belong to the uncompressed file.
                response["Accept-Ranges"] = "none"
        else:
            if len(response.content) < MIN_BYTES:
                return response
            body = compress_bytes(response.content, encoding)
            response.content = body
            response["Content-Length"] = str(len(body))
        if response.has_header("ETag"):
            # Another representation, another validator (its own strong ETag).
            response["ETag"] = re.sub(r'"$', f'-{encoding}"', response["ETag"])
        response["Content-Encoding"] = encoding
        return response

    @staticmethod
    def _eligible(request: HttpRequest, response: HttpResponse) -> bool:
        if request.method == "HEAD" or response.status_code != 200:
            return False
        if response.has_header("Content-Encoding") or "HTTP_RANGE" in request.META:
            return False
        content_type = response.get("Content-Type", "").lower()
        return content_type.startswith(COMPRESSIBLE)
