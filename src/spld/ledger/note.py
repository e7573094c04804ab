"""C2SP signed notes, checkpoints and cosignatures (Ed25519), with no Django dependency.

Formats followed exactly:
- c2sp.org/signed-note: text ending in a newline, a blank line, then signature lines
  ``— <key name> base64(4-byte key ID || signature)``; key ID =
  SHA-256(name || 0x0A || type byte || public key)[:4]; type 0x01 = Ed25519.
  Verifier keys ``<name>+<hex key ID>+<base64(type byte || public key)>``; private keys
  (as Go's golang.org/x/mod/sumdb/note writes them)
  ``PRIVATE+KEY+<name>+<hex ID>+<base64(type || seed)>``.
- c2sp.org/tlog-checkpoint: note text = origin, tree size, base64 root hash, one per line.
- c2sp.org/tlog-cosignature (Ed25519, type 0x04): the signature is base64(key ID ||
  u64 big-endian timestamp || Ed25519 signature) over
  ``cosignature/v1\\ntime <t>\\n`` + the checkpoint note text.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import struct
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ALG_ED25519 = 0x01
ALG_COSIGNATURE_V1 = 0x04
EM_DASH = "\u2014"
MAX_SIGNATURES = 64


class NoteError(ValueError):
    """A malformed note, key or checkpoint."""


def _valid_name(name: str) -> bool:
    # Key names must be non-empty, without Unicode spaces or "+" (signed-note).
    return bool(name) and "+" not in name and not any(c.isspace() for c in name)


def key_id(name: str, alg: int, public_key: bytes) -> int:
    """Return the signed-note key ID: SHA-256(name || 0x0A || alg || key)[:4] as uint32."""
    digest = hashlib.sha256(name.encode() + b"\n" + bytes([alg]) + public_key).digest()
    return int.from_bytes(digest[:4], "big")


@dataclass(frozen=True)
class Verifier:
    """A public key able to check one key name's signatures (log or cosigner)."""

    name: str
    alg: int
    public_key: bytes

    @property
    def key_id(self) -> int:
        return key_id(self.name, self.alg, self.public_key)

    @property
    def vkey(self) -> str:
        """The verifier key string ``<name>+<hex id>+<base64(alg || key)>``."""
        blob = base64.b64encode(bytes([self.alg]) + self.public_key).decode()
        return f"{self.name}+{self.key_id:08x}+{blob}"

    def verify_raw(self, message: bytes, signature: bytes) -> bool:
        """Check an Ed25519 signature over message."""
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, message)
        except (InvalidSignature, ValueError):
            return False
        return True


@dataclass(frozen=True)
class Signer:
    """A private Ed25519 key with its key name and signature type."""

    name: str
    alg: int
    seed: bytes

    @classmethod
    def generate(cls, name: str, alg: int = ALG_ED25519) -> Signer:
        """Create a fresh key for `name`."""
        if not _valid_name(name):
            raise NoteError(f"invalid key name {name!r}: no spaces nor '+'")
        from cryptography.hazmat.primitives import serialization

        seed = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        return cls(name, alg, seed)

    @property
    def _key(self) -> Ed25519PrivateKey:
        return Ed25519PrivateKey.from_private_bytes(self.seed)

    @property
    def verifier(self) -> Verifier:
        from cryptography.hazmat.primitives import serialization

        public = self._key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        return Verifier(self.name, self.alg, public)

    def sign_raw(self, message: bytes) -> bytes:
        """Ed25519 signature of message."""
        return self._key.sign(message)

    def encode(self) -> str:
        """The private key string, Go note format."""
        blob = base64.b64encode(bytes([self.alg]) + self.seed).decode()
        return f"PRIVATE+KEY+{self.name}+{self.verifier.key_id:08x}+{blob}"


def _b64(text: str) -> bytes:
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise NoteError(f"invalid base64: {text[:40]!r}") from exc
    # Canonical only: otherwise the unused bits of the last letter give one signature
    # several spellings, and a changed letter of a signed note would still verify.
    if base64.b64encode(data).decode() != text:
        raise NoteError(f"non-canonical base64: {text[:40]!r}")
    return data


def parse_vkey(text: str) -> Verifier:
    """Parse a verifier key ``<name>+<hex id>+<base64(alg || key)>`` and check its ID."""
    # Only the first two "+" separate fields: base64 may contain "+" too.
    parts = text.strip().split("+", 2)
    if len(parts) != 3 or not re.fullmatch(r"[0-9a-f]{8}", parts[1]):
        raise NoteError("verifier key must look like <name>+<8 hex digits>+<base64>")
    name, hex_id, blob = parts
    raw = _b64(blob)
    if not _valid_name(name) or len(raw) != 33 or raw[0] not in (ALG_ED25519, ALG_COSIGNATURE_V1):
        raise NoteError("verifier key: unsupported name, algorithm or key length")
    verifier = Verifier(name, raw[0], raw[1:])
    if verifier.key_id != int(hex_id, 16):
        raise NoteError("verifier key: key ID does not match the name and key")
    return verifier


def parse_private_key(text: str) -> Signer:
    """Parse a private key ``PRIVATE+KEY+<name>+<hex id>+<base64(alg || seed)>``."""
    parts = text.strip().split("+", 4)
    if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"]:
        raise NoteError("private key must look like PRIVATE+KEY+<name>+<hex id>+<base64>")
    name, hex_id, blob = parts[2:]
    raw = _b64(blob)
    if not _valid_name(name) or len(raw) != 33 or raw[0] not in (ALG_ED25519, ALG_COSIGNATURE_V1):
        raise NoteError("private key: unsupported name, algorithm or key length")
    signer = Signer(name, raw[0], raw[1:])
    if f"{signer.verifier.key_id:08x}" != hex_id:
        raise NoteError("private key: key ID does not match the key")
    return signer


# --- Notes -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Signature:
    """One signature line: key name, key ID and the signature bytes after the ID."""

    name: str
    key_id: int
    sig: bytes

    def line(self) -> str:
        blob = base64.b64encode(self.key_id.to_bytes(4, "big") + self.sig).decode()
        return f"{EM_DASH} {self.name} {blob}\n"


def split_note(note: str) -> tuple[str, list[Signature]]:
    """Split a signed note into its text (with final newline) and its signature lines."""
    if any(ord(c) < 0x20 and c != "\n" for c in note):
        raise NoteError("note contains control characters")
    # The text is separated from the signatures by the last blank line.
    cut = note.rfind("\n\n")
    if cut < 0 or not note.endswith("\n"):
        raise NoteError("note has no signature block")
    text, block = note[: cut + 1], note[cut + 2 :]
    sigs = []
    for line in block.split("\n")[:-1]:
        m = re.fullmatch(EM_DASH + r" (\S+) (\S+)", line)
        if not m:
            raise NoteError(f"malformed signature line {line[:60]!r}")
        raw = _b64(m.group(2))
        if len(raw) < 5:
            raise NoteError("signature too short")
        sigs.append(Signature(m.group(1), int.from_bytes(raw[:4], "big"), raw[4:]))
    if not sigs or len(sigs) > MAX_SIGNATURES:
        raise NoteError("note must carry between 1 and 64 signatures")
    return text, sigs


def sign_note(text: str, signer: Signer) -> str:
    """Sign note text with a log key (type 0x01): text, blank line, signature line."""
    if signer.alg != ALG_ED25519:
        raise NoteError("a note signature needs an Ed25519 (type 0x01) key")
    sig = Signature(signer.name, signer.verifier.key_id, signer.sign_raw(text.encode()))
    return text + "\n" + sig.line()


def find_signature(sigs: list[Signature], verifier: Verifier) -> Signature | None:
    """The signature made by this verifier's key (same name and key ID), if any."""
    for s in sigs:
        if s.name == verifier.name and s.key_id == verifier.key_id:
            return s
    return None


def verify_note(note: str, verifier: Verifier) -> str:
    """Return the note text if `verifier` signed it; raise NoteError otherwise."""
    text, sigs = split_note(note)
    s = find_signature(sigs, verifier)
    if s is None:
        raise NoteError(f"no signature by {verifier.name} ({verifier.key_id:08x})")
    if not verifier.verify_raw(text.encode(), s.sig):
        raise NoteError(f"the signature by {verifier.name} is invalid")
    return text


# --- Checkpoints and cosignatures --------------------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    """A tree head: origin, size and root hash (tlog-checkpoint body)."""

    origin: str
    size: int
    root: bytes

    def text(self) -> str:
        return f"{self.origin}\n{self.size}\n{base64.b64encode(self.root).decode()}\n"


def parse_checkpoint(text: str) -> Checkpoint:
    """Parse checkpoint note text (extension lines are not accepted by this log)."""
    lines = text.split("\n")
    if len(lines) != 4 or lines[3] != "":
        raise NoteError("checkpoint text must be exactly origin, size and root hash lines")
    origin, size, root = lines[:3]
    if not origin or not re.fullmatch(r"0|[1-9][0-9]{0,18}", size):
        raise NoteError("checkpoint: empty origin or malformed tree size")
    raw = _b64(root)
    if len(raw) != 32:
        raise NoteError("checkpoint: root hash must be 32 bytes")
    return Checkpoint(origin, int(size), raw)


def cosigned_message(text: str, timestamp: int) -> bytes:
    """The message an Ed25519 cosigner signs (tlog-cosignature v1)."""
    return f"cosignature/v1\ntime {timestamp}\n{text}".encode()


def cosign(text: str, signer: Signer, timestamp: int) -> Signature:
    """A witness cosignature line over checkpoint text at POSIX time `timestamp`."""
    if signer.alg != ALG_COSIGNATURE_V1:
        raise NoteError("a cosignature needs a type 0x04 witness key")
    if not 0 <= timestamp < 2**63:
        raise NoteError("timestamp out of range")
    sig = signer.sign_raw(cosigned_message(text, timestamp))
    return Signature(signer.name, signer.verifier.key_id, struct.pack(">Q", timestamp) + sig)


def verify_cosignature(text: str, sig: Signature, verifier: Verifier) -> int | None:
    """Return the cosignature's timestamp if it is valid for `verifier`, else None."""
    if verifier.alg != ALG_COSIGNATURE_V1 or len(sig.sig) != 8 + 64:
        return None
    if sig.name != verifier.name or sig.key_id != verifier.key_id:
        return None
    (timestamp,) = struct.unpack(">Q", sig.sig[:8])
    if timestamp >= 2**63:
        return None
    if not verifier.verify_raw(cosigned_message(text, timestamp), sig.sig[8:]):
        return None
    return timestamp
