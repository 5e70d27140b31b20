"""Behind a reverse proxy: the real client address and scheme, taken only from proxies we trust.

A proxy that ends TLS (nginx, Caddy) connects from its own address over plain http and says who the
client was in ``X-Forwarded-For`` and how it came in ``X-Forwarded-Proto``. Anyone can send those
headers, so they count only when the connection comes from an address in ``TOM_TRUSTED_PROXIES``;
from anyone else they are ignored and the peer address stays the client (a client cannot pick its
own address, and so cannot dodge the login and suggestion rate limits).

``X-Forwarded-For`` is read right to left: the proxy appends the address it saw, so the first entry
from the right that is not itself a trusted proxy is the client; entries left of it were written by
the client and are never believed. The RFC 7239 ``Forwarded`` header is deliberately not read:
nginx passes a client's ``Forwarded`` header through untouched unless told otherwise, so honouring
it would let clients forge their address behind a default set-up.

The middleware rewrites the ASGI scope in place (``client``, ``scheme``), so everything after it —
``request.client``, ``request.url``, Secure-cookie decisions, redirects, uvicorn's access log —
sees the real client and scheme.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Scope = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]], Awaitable[None]]


def parse_networks(value: str) -> tuple[IPNetwork, ...]:
    """'127.0.0.1, 10.0.0.0/8, ::1' → networks. Raises ValueError naming the entry that is not an address."""
    nets: list[IPNetwork] = []
    for raw in value.replace(";", ",").split(","):
        item = raw.strip()
        if not item:
            continue
        try:
            nets.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ValueError(f"{item!r} is not an IP address or network (e.g. 127.0.0.1 or 10.0.0.0/8)") from None
    return tuple(nets)


def _address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """An X-Forwarded-For entry as an address: bare, 'v4:port' or '[v6]:port'; None when it is none."""
    v = value.strip()
    if v.startswith("["):
        v = v[1:v.find("]")] if "]" in v else ""
    elif v.count(":") == 1:
        v = v.split(":", 1)[0]
    try:
        addr = ipaddress.ip_address(v)
    except ValueError:
        return None
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        return addr.ipv4_mapped
    return addr


class ProxyHeaders:
    """ASGI middleware: honour X-Forwarded-For / X-Forwarded-Proto from trusted proxies only."""

    def __init__(self, app: ASGIApp, trusted: tuple[IPNetwork, ...]) -> None:
        self.app, self.trusted = app, trusted

    def is_trusted(self, host: str | None) -> bool:
        addr = _address(host) if host else None
        return addr is not None and any(addr in net for net in self.trusted)

    def client_from(self, peer: str, forwarded_for: list[str]) -> str:
        """The first address from the right that is not a trusted proxy (the peer when none is usable)."""
        hops = [h for value in forwarded_for for h in value.split(",") if h.strip()]
        client = peer
        for hop in reversed(hops):
            addr = _address(hop)
            if addr is None:
                break  # garbage in the chain: believe nothing left of it
            client = str(addr)
            if not any(addr in net for net in self.trusted):
                break
        return client

    async def __call__(self, scope: Scope, receive: Callable[[], Awaitable[Any]],
                       send: Callable[[Any], Awaitable[None]]) -> None:
        if scope["type"] in ("http", "websocket") and self.trusted:
            peer = scope.get("client")
            if peer and self.is_trusted(peer[0]):
                proto: str | None = None
                forwarded_for: list[str] = []
                for name, value in scope.get("headers", ()):
                    if name == b"x-forwarded-proto":
                        proto = value.decode("latin-1")
                    elif name == b"x-forwarded-for":
                        forwarded_for.append(value.decode("latin-1"))
                if proto is not None:
                    # A chain of proxies may list several; the first is what the client used.
                    first = proto.split(",")[0].strip().lower()
                    if first in ("http", "https"):
                        scope["scheme"] = first if scope["type"] == "http" else first.replace("http", "ws")
                if forwarded_for:
                    client = self.client_from(peer[0], forwarded_for)
                    if client != peer[0]:
                        scope["client"] = (client, 0)
        await self.app(scope, receive, send)
