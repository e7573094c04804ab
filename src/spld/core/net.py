"""The client's network address, read through the reverse proxies the operator trusts."""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:
    from django.http import HttpRequest

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def parse_networks(entries: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    """Addresses and CIDR blocks as networks; a bad entry raises ValueError naming it."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError as exc:
            raise ValueError(
                f"SPLD_TRUSTED_PROXIES: {entry!r} is not an IP address or CIDR block"
            ) from exc
    return tuple(networks)


def parse_address(value: str) -> IPAddress | None:
    """One address as a proxy writes it (optionally with a port or brackets), or None."""
    value = value.strip().strip('"')
    candidates = [value]
    if value.startswith("["):  # "[2001:db8::1]:443"
        candidates = [value[1:].split("]", 1)[0]]
    elif value.count(":") == 1:  # "203.0.113.7:51234"
        candidates.append(value.split(":", 1)[0])
    for candidate in candidates:
        try:
            address = ipaddress.ip_address(candidate.split("%", 1)[0])
        except ValueError:
            continue
        # An IPv4 client seen on a dual-stack socket is the same client.
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            return address.ipv4_mapped
        return address
    return None


def _trusted(address: IPAddress, networks: tuple[IPNetwork, ...]) -> bool:
    return any(address.version == net.version and address in net for net in networks)


def client_address(request: HttpRequest) -> str:
    """The caller's address: the peer, or the rightmost X-Forwarded-For hop not trusted."""
    peer_raw = request.META.get("REMOTE_ADDR") or ""
    peer = parse_address(peer_raw)
    if peer is None:
        return peer_raw or "unknown"
    networks = parse_networks(tuple(settings.TRUSTED_PROXIES))
    if not networks or not _trusted(peer, networks):
        # Direct set-up, or a client talking to us past the proxy: headers are its own words.
        return str(peer)
    hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    nearest = peer
    # Walk from our side outwards: each trusted proxy vouches for the hop left of it only.
    for hop in reversed(hops):
        address = parse_address(hop)
        if address is None:
            break  # garbage written by the client itself: keep the last hop vouched for
        nearest = address
        if not _trusted(address, networks):
            break
    return str(nearest)
