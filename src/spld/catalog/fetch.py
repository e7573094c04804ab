"""Downloading a remote file without letting the server be aimed at itself (SSRF-safe)."""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from django.utils.translation import gettext as _

from spld.catalog import conf
from spld.catalog.staging import hashing_writer

MAX_REDIRECTS = 3


class FetchError(Exception):
    """A remote URL refused or failed; the message is for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _is_public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return not (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast
                or ip.is_reserved or ip.is_unspecified or not ip.is_global)


def resolve_safe(url: str) -> tuple[str, str, int, str]:
    """Check a URL and pin its address: (scheme, host, port, ip) or FetchError."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError("bad_url", _("Seules les adresses http:// et https:// sont acceptées."))
    if parts.username or parts.password:
        raise FetchError("bad_url", _("Les adresses avec identifiants ne sont pas acceptées."))
    host = parts.hostname.lower()
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError("dns", _("Nom de domaine introuvable : {host}.").format(host=host)) \
            from exc
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    allowed = conf.fetch_allowed_hosts()
    if host not in allowed and not all(_is_public(ip) for ip in addresses):
        raise FetchError("forbidden_address", _(
            "Adresse refusée : {host} désigne un réseau privé, local ou réservé.").format(
            host=host))
    return parts.scheme, host, port, str(addresses[0])


class _PinnedHTTPS(http.client.HTTPSConnection):
    """HTTPS to a fixed IP while checking the certificate of the host name."""

    def __init__(self, host: str, ip: str, port: int, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._ip = ip

    def connect(self) -> None:
        sock = socket.create_connection((self._ip, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def fetch_to_file(url: str, dest: Path, *, max_bytes: int | None = None,
                  timeout: float | None = None) -> tuple[str, int]:
    """Stream `url` to `dest` within size and time limits; returns (file name, size)."""
    max_bytes = max_bytes or conf.upload_max_bytes()
    timeout = timeout or conf.fetch_timeout()
    deadline = time.monotonic() + timeout
    for _hop in range(MAX_REDIRECTS + 1):
        scheme, host, port, ip = resolve_safe(url)
        conn: http.client.HTTPConnection
        if scheme == "https":
            conn = _PinnedHTTPS(host, ip, port, min(timeout, 30))
        else:
            conn = http.client.HTTPConnection(ip, port, timeout=min(timeout, 30))
        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            conn.request("GET", target, headers={"Host": parts.netloc.split("@")[-1],
                                                 "User-Agent": "SPLD-fetch/1"})
            response = conn.getresponse()
            if response.status in (301, 302, 303, 307, 308):
                location = response.getheader("Location") or ""
                url = urljoin(url, location)
                continue
            if response.status != 200:
                raise FetchError("http_status", _("Le serveur distant a répondu {status}.").format(
                    status=response.status))
            length = response.getheader("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise FetchError("too_large", _("Fichier distant trop volumineux ({size} octets, "
                                                "limite {limit}).").format(size=length,
                                                                          limit=max_bytes))
            size = 0
            with hashing_writer(dest) as write:
                while block := response.read(1 << 20):
                    size += len(block)
                    if size > max_bytes:
                        raise FetchError("too_large", _(
                            "Fichier distant trop volumineux (limite {limit} octets).").format(
                            limit=max_bytes))
                    if time.monotonic() > deadline:
                        raise FetchError("timeout", _("Téléchargement trop long (limite {s} s)."
                                                      ).format(s=int(timeout)))
                    write(block)
            name = Path(parts.path).name or "fichier"
            return name, size
        except (OSError, http.client.HTTPException) as exc:
            raise FetchError("network", _("Téléchargement impossible : {error}.").format(
                error=exc)) from exc
        finally:
            conn.close()
    raise FetchError("redirects", _("Trop de redirections."))


def check_remote_size(url: str, *, max_bytes: int | None = None, timeout: float = 10) -> None:
    """FetchError("too_large") now when the server announces a size over the limit.

    A HEAD request (same address checks, redirects followed) settles it at submission, so
    that the publisher gets the documented 413 instead of a task failing later. A server
    that does not answer HEAD, or gives no size, is checked while downloading as before.
    """
    max_bytes = max_bytes or conf.upload_max_bytes()
    for _hop in range(MAX_REDIRECTS + 1):
        scheme, host, port, ip = resolve_safe(url)
        conn: http.client.HTTPConnection
        if scheme == "https":
            conn = _PinnedHTTPS(host, ip, port, timeout)
        else:
            conn = http.client.HTTPConnection(ip, port, timeout=timeout)
        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            conn.request("HEAD", target, headers={"Host": parts.netloc.split("@")[-1],
                                                  "User-Agent": "SPLD-fetch/1",
                                                  "Accept-Encoding": "identity"})
            response = conn.getresponse()
            response.read()
            if response.status in (301, 302, 303, 307, 308):
                url = urljoin(url, response.getheader("Location") or "")
                continue
            length = response.getheader("Content-Length") or ""
        except (OSError, http.client.HTTPException):
            return  # no answer to HEAD: the download checks the size as it goes
        finally:
            conn.close()
        if response.status == 200 and length.isdigit() and int(length) > max_bytes:
            raise FetchError("too_large", _("Fichier distant trop volumineux ({size} octets, "
                                            "limite {limit}).").format(size=length,
                                                                      limit=max_bytes))
        return
