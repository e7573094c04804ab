"""Staged files carry the checksum computed while their bytes arrived."""

import hashlib

import pytest

from spld.catalog import staging


def test_checksum_written_beside_the_file(tmp_path):
    dest = tmp_path / "upload.csv"
    with staging.hashing_writer(dest) as write:
        write(b"a;b\n")
        write(b"1;2\n")
    assert dest.read_bytes() == b"a;b\n1;2\n"
    assert staging.known_checksum(dest) == hashlib.sha256(b"a;b\n1;2\n").hexdigest()


def test_no_checksum_for_an_interrupted_file(tmp_path):
    dest = tmp_path / "upload.csv"
    with pytest.raises(OSError), staging.hashing_writer(dest) as write:
        write(b"a;b\n")
        raise OSError("connection reset")
    assert staging.known_checksum(dest) == ""
    assert not staging.checksum_path(dest).exists()
