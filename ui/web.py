"""The HTTP side of the app, mounted by serve.py through st.App: security headers on every response, no
metrics for the outside, and the endpoint that sets the session cookie HttpOnly.

Streamlit talks to the browser over a WebSocket, where no response header can be set. After a log-in the page
therefore shows an invisible image whose one-time address (a random nonce, valid for a minute, usable once)
this module answers with the Set-Cookie header: the token never passes through JavaScript, and script on the
page could not read it from document.cookie. The offers are kept in the accounts store, not in this process: with
several app processes behind one address, the image may be fetched from any of them.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import time
from pathlib import Path

from etl import config
from etl.access import store

COOKIE, COOKIE_PATH = "hnfl_session", "/hnfl/session"
COOKIE_MAX_AGE = 12 * 3600  # a working day; the server ends an idle session long before
NONCE_SECONDS = 60
METRICS_PATH = "/_stcore/metrics"  # Streamlit's Prometheus counters (sessions, memory): nobody outside needs them
# A transparent 1×1 GIF: the browser gets the image it asked for, so nothing shows as broken.
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


def _hash(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


def _seal(token: str, nonce: str) -> str:
    """The token XORed with a key drawn from the nonce: the store alone (without the nonce) does not give it away."""
    data = token.encode()
    key = hashlib.shake_256(b"hnfl-cookie\x00" + nonce.encode()).digest(len(data))
    return base64.b64encode(bytes(a ^ b for a, b in zip(data, key, strict=True))).decode()


def _unseal(sealed: str, nonce: str) -> str:
    data = base64.b64decode(sealed)
    key = hashlib.shake_256(b"hnfl-cookie\x00" + nonce.encode()).digest(len(data))
    return bytes(a ^ b for a, b in zip(data, key, strict=True)).decode()


def offer_cookie(token: str) -> str:
    """A nonce the browser exchanges once, within a minute, for the cookie holding `token` ('' = clear it)."""
    nonce = secrets.token_urlsafe(24)
    now = time.time()
    with store.connect(config.accounts_path()) as con:
        store.offer_cookie(con, _hash(nonce), _seal(token, nonce), now + NONCE_SECONDS, now)
    return nonce


def take_cookie(nonce: str) -> str | None:
    """The token a nonce was offered for, once, by whichever process is asked; None for an unknown, used or
    expired nonce."""
    if not nonce:
        return None
    with store.connect(config.accounts_path()) as con:
        found = store.take_cookie(con, _hash(nonce))
    if found is None or found[1] < time.time():
        return None
    return _unseal(found[0], nonce)


def session_cookie(request):  # noqa: ANN001, ANN201 - a Starlette Request → Response; sync: run in a thread
    from starlette.responses import Response

    token = take_cookie(request.query_params.get("n", ""))
    if token is None:
        return Response(status_code=404)
    response = Response(PIXEL, media_type="image/gif", headers={"Cache-Control": "no-store"})
    secure = request.url.scheme == "https" or (
        config.BEHIND_PROXY and request.headers.get("x-forwarded-proto", "").lower() == "https"
    )
    if token:
        response.set_cookie(
            COOKIE, token, max_age=COOKIE_MAX_AGE, path="/", httponly=True, samesite="strict", secure=secure
        )
    else:
        response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict", secure=secure)
    return response


def forwarded_client(peer: str | None, forwarded: list[str], behind_proxy: bool) -> str:
    """The browser's address: the connection's, unless it comes from this machine and a reverse proxy here is
    declared (HNFL_BEHIND_PROXY); then the last address in X-Forwarded-For, the one the proxy itself appended.
    Earlier entries come from the client and may be anything. '' = this machine."""
    if peer is None and behind_proxy:
        return ",".join(forwarded).rsplit(",", 1)[-1].strip()[:64]
    return peer or ""


def _inline_script_hashes() -> str:
    """CSP hashes of the inline scripts in Streamlit's own index.html (one line setting prerenderReady), so
    script-src can stay 'self' without 'unsafe-inline'."""
    import streamlit

    index = Path(streamlit.__file__).parent / "static" / "index.html"
    scripts = re.findall(r"<script>(.*?)</script>", index.read_text(encoding="utf-8"), flags=re.S)
    return " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'" for s in scripts)


def content_security_policy() -> str:
    """What Streamlit's page needs and nothing more: its own scripts, inline styles (emotion, plotly), images
    from itself (charts, downloads as blob:), its WebSocket on the same origin; never framed by another site."""
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' {_inline_script_hashes()}".strip(),
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "worker-src 'self' blob:",
            "frame-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def security_headers() -> list[tuple[bytes, bytes]]:
    return [
        (b"content-security-policy", content_security_policy().encode()),
        (b"x-frame-options", b"DENY"),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"same-origin"),
    ]


class SecurityMiddleware:
    """ASGI middleware: the headers above on every HTTP response, and 404 for the metrics endpoint."""

    def __init__(self, app) -> None:  # noqa: ANN001 - the wrapped ASGI app
        self.app = app
        self.headers = security_headers()

    async def __call__(self, scope, receive, send) -> None:  # noqa: ANN001 - ASGI
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["path"].startswith(METRICS_PATH):
            from starlette.responses import Response

            await Response(status_code=404)(scope, receive, send)
            return

        async def with_headers(message) -> None:  # noqa: ANN001
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(name, value) for name, value in self.headers if name not in present]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, with_headers)


def routes() -> list:
    from starlette.routing import Route

    return [Route(COOKIE_PATH, session_cookie, methods=["GET"])]


def middleware() -> list:
    from starlette.middleware import Middleware

    return [Middleware(SecurityMiddleware)]
