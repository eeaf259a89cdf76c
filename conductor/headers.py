"""Security headers on every HTTP response the conductor sends.

Contract
--------
:class:`SecurityHeaders` is a pure ASGI middleware: every ``http`` response
(pages, client files, bundle files, JSON, errors, 304/416 answers) gets the
headers of :func:`security_headers`; websocket traffic is untouched.  A header
the route set itself is kept.

The Content-Security-Policy (docs/protocol.md, "Security headers") allows
only the conductor's own origin: scripts and styles from files (no inline
script, no inline ``style`` attribute, no ``eval``), media and images from the
origin plus ``blob:``/``data:`` (the phone plays decoded segments), sockets to
the origin (``'self'`` and the explicit ``ws://``/``wss://`` form of the
request's host, which older WebKit needs), no plugins, no ``<base>``, no
framing.  So a string from a manifest that ever reached markup still could not
run script or load anything from elsewhere.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]], Awaitable[None]]

_HOST = re.compile(r"^(?:[A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\])(?::[0-9]{1,5})?$")

BASE_POLICY = (
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob: data:",
    "font-src 'self'",
    "worker-src 'self'",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
)

STATIC_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(self), geolocation=(), payment=(), usb=(), interest-cohort=()",
}


def content_security_policy(host: str | None) -> str:
    """The CSP for a request to ``host`` (its ``Host`` header; ignored unless it is a plain host[:port])."""
    connect = "connect-src 'self'"
    if host and _HOST.match(host):
        connect += f" ws://{host} wss://{host}"
    return "; ".join((*BASE_POLICY[:8], connect, *BASE_POLICY[8:]))


def security_headers(host: str | None) -> dict[str, str]:
    return {"content-security-policy": content_security_policy(host), **STATIC_HEADERS}


class SecurityHeaders:
    """ASGI middleware adding :func:`security_headers` to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        host = None
        for k, v in scope.get("headers", ()):
            if k == b"host":
                host = v.decode("latin-1")
                break
        extra = security_headers(host)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {k.lower() for k, _ in headers}
                headers += [(k.encode(), v.encode()) for k, v in extra.items() if k.encode() not in present]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
