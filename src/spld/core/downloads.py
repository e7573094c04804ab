"""File downloads that HTTP clients can read remotely: HEAD, Range/206/416, ETag, Last-Modified.

DuckDB's httpfs, pyarrow/fsspec and browsers resuming a download first ask HEAD for the size,
then read byte ranges (a Parquet reader reads the footer, then the row groups it needs).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from django.http import FileResponse, HttpRequest, HttpResponse
from django.utils.http import (
    content_disposition_header,
    http_date,
    parse_http_date_safe,
    quote_etag,
)

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


class _Slice:
    """A file object limited to `length` bytes from `start` (what a 206 response sends)."""

    def __init__(self, handle: Any, start: int, length: int) -> None:
        handle.seek(start)
        self.handle, self.remaining = handle, length

    def read(self, size: int = -1) -> bytes:
        if self.remaining <= 0:
            return b""
        size = self.remaining if size < 0 else min(size, self.remaining)
        data = self.handle.read(size)
        self.remaining -= len(data)
        return data

    def close(self) -> None:
        self.handle.close()


def byte_range(header: str, size: int) -> tuple[int, int] | None | bool:
    """(start, end) inclusive of one `bytes=` range; None: ignore it; False: unsatisfiable."""
    match = _RANGE.match(header.replace(" ", ""))
    if not match or match.groups() == ("", ""):
        return None  # several ranges or another unit: answer with the whole file (allowed)
    first, last = match.groups()
    if first == "":
        length = int(last)
        if length == 0 or size == 0:
            return False
        return max(size - length, 0), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or (last and int(last) < start):
        return False
    return start, end


def _not_modified(request: HttpRequest, etag: str, mtime: float) -> bool:
    inm = request.META.get("HTTP_IF_NONE_MATCH")
    if inm is not None:
        # A compressed copy carries the same tag plus "-br" or "-gzip" (core.compression).
        tags = [re.sub(r'-(br|gzip)"$', '"', t.strip().removeprefix("W/"))
                for t in inm.split(",")]
        return "*" in tags or etag in tags
    ims = parse_http_date_safe(request.META.get("HTTP_IF_MODIFIED_SINCE", ""))
    return ims is not None and int(mtime) <= ims


def serve_file(request: HttpRequest, path: Path | str, *, content_type: str,
               filename: str | None = None, etag: str | None = None,
               handle: Any = None, attachment: bool = True) -> HttpResponse:
    """A file as a download with HEAD, conditional requests and a single byte range.

    `etag` should name the content (e.g. its SHA-256); by default size and mtime. An open
    `handle` may be given for a file already unlinked (a temporary export).
    """
    if handle is None:
        handle = open(path, "rb")  # noqa: SIM115  (the response closes it)
    stat = os.fstat(handle.fileno())
    size, mtime = stat.st_size, stat.st_mtime
    tag = quote_etag(etag or f"{size:x}-{int(mtime * 1000):x}")
    headers = {"ETag": tag, "Last-Modified": http_date(mtime), "Accept-Ranges": "bytes"}
    if filename:
        headers["Content-Disposition"] = content_disposition_header(attachment, filename) or ""
    if _not_modified(request, tag, mtime):
        handle.close()
        return HttpResponse(status=304, headers=headers)
    status, start, length = 200, 0, size
    header = request.META.get("HTTP_RANGE", "")
    if_range = request.META.get("HTTP_IF_RANGE", "")
    if header and (not if_range or if_range in (tag, headers["Last-Modified"])):
        found = byte_range(header, size)
        if found is False:
            handle.close()
            headers["Content-Range"] = f"bytes */{size}"
            return HttpResponse(status=416, headers=headers, content_type=content_type)
        if found:
            start, end = found
            status, length = 206, end - start + 1
            headers["Content-Range"] = f"bytes {start}-{end}/{size}"
    if request.method == "HEAD":
        handle.close()
        response = HttpResponse(status=status, headers=headers, content_type=content_type)
    else:
        body = _Slice(handle, start, length) if status == 206 else handle
        response = FileResponse(body, status=status, headers=headers,
                                content_type=content_type)
    # Set last: FileResponse and HttpResponse would otherwise count the (empty) body.
    response["Content-Length"] = str(length)
    response.spld_byte_ranges = True  # type: ignore[attr-defined]  (not re-encoded: see middleware)
    return response
