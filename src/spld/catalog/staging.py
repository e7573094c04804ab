"""Incoming files written to disk with their SHA-256 computed on the way in."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path


def checksum_path(staged: Path) -> Path:
    """Where the checksum of a staged file is kept until its ingest."""
    return staged.with_name(staged.name + ".sha256")


@contextmanager
def hashing_writer(dest: Path) -> Iterator[Callable[[bytes], None]]:
    """Write blocks to `dest` and, once all are written, its SHA-256 beside it.

    The bytes are hashed while they arrive (upload or download), so the ingest does not
    read the whole file once more for its checksum. Nothing is written beside a file
    whose writing failed.
    """
    digest = hashlib.sha256()
    with open(dest, "wb") as fh:
        def write(block: bytes) -> None:
            digest.update(block)
            fh.write(block)

        yield write
    checksum_path(dest).write_text(digest.hexdigest())


def known_checksum(staged: Path) -> str:
    """The SHA-256 recorded when the file was staged, or '' if there is none."""
    path = checksum_path(staged)
    return path.read_text().strip() if path.exists() else ""
