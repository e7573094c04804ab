"""Compact JWS with EdDSA (Ed25519, RFC 8037) and the JWKS that publishes the keys."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from spld.core.canonical import canonical_json
from spld.rights.keys import receipt_signing_key, retired_public_keys


class InvalidJws(Exception):
    """The token is malformed, signed by an unknown key, or its signature does not match."""


def b64url(data: bytes) -> str:
    """Base64url without padding."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


_B64URL = re.compile(r"[A-Za-z0-9_-]*")


def b64url_decode(text: str) -> bytes:
    """Decode canonical unpadded base64url (RFC 7515 §2); InvalidJws on anything else."""
    # Strict: a lenient decoder ignores the unused low bits of the last character, so
    # several spellings of one signature would verify and a changed letter could pass.
    if not isinstance(text, str) or not _B64URL.fullmatch(text) or len(text) % 4 == 1:
        raise InvalidJws("bad base64url")
    data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if b64url(data) != text:
        raise InvalidJws("non-canonical base64url")
    return data


def public_jwk(raw_public: bytes) -> dict[str, str]:
    """The OKP JWK of an Ed25519 public key, with its RFC 7638 thumbprint as kid."""
    jwk = {"crv": "Ed25519", "kty": "OKP", "x": b64url(raw_public)}
    # RFC 7638: SHA-256 over the required members in lexicographic order, no spaces.
    thumb = hashlib.sha256(json.dumps(jwk, sort_keys=True, separators=(",", ":")).encode())
    return {**jwk, "kid": b64url(thumb.digest()), "alg": "EdDSA", "use": "sig"}


def _current_raw_public() -> bytes:
    return receipt_signing_key().public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )


def jwks() -> dict[str, Any]:
    """Every key a receipt may be signed with (the current one first)."""
    return {"keys": [public_jwk(_current_raw_public())]
            + [public_jwk(raw) for raw in retired_public_keys()]}


def sign(claims: dict[str, Any]) -> str:
    """Sign canonical JSON claims as a compact JWS (header alg EdDSA, kid, typ)."""
    key = receipt_signing_key()
    header = {"alg": "EdDSA", "kid": public_jwk(_current_raw_public())["kid"],
              "typ": "receipt+jwt"}
    signing_input = f"{b64url(canonical_json(header))}.{b64url(canonical_json(claims))}"
    return f"{signing_input}.{b64url(key.sign(signing_input.encode()))}"


def verify(token: str, keyset: dict[str, Any] | None = None) -> dict[str, Any]:
    """Check a compact JWS against a JWKS (ours by default); returns its claims."""
    token = token.strip()
    parts = token.split(".")
    if len(parts) != 3:
        raise InvalidJws("a compact JWS has three parts")
    try:
        header = json.loads(b64url_decode(parts[0]))
        claims = json.loads(b64url_decode(parts[1]))
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidJws("header or payload is not JSON") from exc
    if not isinstance(header, dict) or header.get("alg") != "EdDSA":
        raise InvalidJws("only alg EdDSA is accepted")
    if not isinstance(claims, dict):
        raise InvalidJws("payload is not a JSON object")
    keyset = keyset if keyset is not None else jwks()
    candidates = [k for k in keyset.get("keys", []) if k.get("kid") == header.get("kid")
                  and k.get("kty") == "OKP" and k.get("crv") == "Ed25519"]
    if not candidates:
        raise InvalidJws("unknown signing key")
    signature = b64url_decode(parts[2])
    for jwk in candidates:
        try:
            Ed25519PublicKey.from_public_bytes(b64url_decode(jwk["x"])).verify(
                signature, f"{parts[0]}.{parts[1]}".encode()
            )
            return claims
        except (InvalidSignature, ValueError):
            continue
    raise InvalidJws("signature does not match")
