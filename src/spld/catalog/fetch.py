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


IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    # Addresses that a translator or tunnel turns into an IPv4 one: check that one too.
    if ip.ipv4_mapped:
        return ip.ipv4_mapped
    if ip.sixtofour:
        return ip.sixtofour
    if ip.teredo:
        return ip.teredo[1]
    if any(ip in net for net in NAT64) or ip in IPV4_COMPATIBLE:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def _is_public(ip: IPAddress) -> bool:
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(ip)
        if embedded is not None and not _is_public(embedded):
            return False
    return not (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast
                or ip.is_reserved or ip.is_unspecified or not ip.is_global)


def resolve_host(host: str, port: int) -> list[IPAddress]:
    """Every address DNS gives for `host` (the one resolution a hop gets)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]


def _allowed(host: str, addresses: list[IPAddress]) -> bool:
    """An allow-listed name, or every address public or inside an allow-listed address/CIDR."""
    entries = conf.fetch_allowed_hosts()
    if host in entries:
        return True
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            continue  # a host name
    return all(
        _is_public(ip) or any(ip.version == net.version and ip in net for net in networks)
        for ip in addresses
    )


def resolve_safe(url: str, *, redirected_from: str = "") -> tuple[str, str, int, str]:
    """Check a URL and pin its address: (scheme, host, port, ip) or FetchError."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError("bad_url", _("Seules les adresses http:// et https:// sont acceptées."))
    if parts.username or parts.password:
        raise FetchError("bad_url", _("Les adresses avec identifiants ne sont pas acceptées."))
    host = parts.hostname.lower()
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise FetchError("bad_url", _("Numéro de port invalide.")) from exc
    try:
        addresses = resolve_host(host, port)
    except (OSError, UnicodeError, ValueError) as exc:
        raise FetchError("dns", _("Nom de domaine introuvable : {host}.").format(host=host)) \
            from exc
    if not addresses or not _allowed(host, addresses):
        if redirected_from:
            message = _("Redirection refusée : {host} (vers lequel renvoie {origin}) désigne "
                        "un réseau privé, local ou réservé.").format(host=host,
                                                                     origin=redirected_from)
        else:
            message = _("Adresse refusée : {host} désigne un réseau privé, local ou "
                        "réservé.").format(host=host)
        raise FetchError("forbidden_address", message)
    # Connect to this very address: resolving again could answer differently (DNS rebinding).
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
    previous = ""
    for _hop in range(MAX_REDIRECTS + 1):
        # Every hop passes the same check as the first URL, on its own single resolution.
        scheme, host, port, ip = resolve_safe(url, redirected_from=previous)
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
                previous, url = host, urljoin(url, location)
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
    raise FetchError("redirects", _("Trop de redirections (au plus {n}).").format(n=MAX_REDIRECTS))


def check_remote_size(url: str, *, max_bytes: int | None = None, timeout: float = 10) -> None:
    """FetchError("too_large") now when the server announces a size over the limit.

    A HEAD request (same address checks, redirects followed) settles it at submission, so
    that the publisher gets the documented 413 instead of a task failing later. A server
    that does not answer HEAD, or gives no size, is checked while downloading as before.
    """
    max_bytes = max_bytes or conf.upload_max_bytes()
    previous = ""
    for _hop in range(MAX_REDIRECTS + 1):
        scheme, host, port, ip = resolve_safe(url, redirected_from=previous)
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
                previous, url = host, urljoin(url, response.getheader("Location") or "")
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
