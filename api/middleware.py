"""ASGI middleware: the request-body limit, and the security headers (with inline-style hashes)."""

import base64
import hashlib
import re

from fastapi.responses import HTMLResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import problem

MAX_BODY = 1024 * 1024
#: The admin's photo upload carries a photo of up to 2 MB, plus the form around it.
LARGER_BODIES = {"/admin/staff/": 2 * 1024 * 1024 + 64 * 1024}
#: Forms that carry attachments (the intake form, a case's upload form): a case's worth of files.
ATTACHMENT_FORMS = re.compile(r"^/cases/(new(/check|/register|/onsite)?|[^/]+/attachments)$")
#: Room for the form's other fields beside its files.
FORM_MARGIN = 256 * 1024

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'none'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
#: Production is served over TLS (README, "Running in production"): a year, subdomains included.
HSTS = b"max-age=31536000; includeSubDomains"
#: Pages that load a first-party script from /static (the on-site form keeps its draft offline);
#: every other page runs none. Still no inline script, no other origin.
SCRIPTED_PAGES = frozenset({"/cases/new/onsite"})
CSP_SCRIPTED = CSP.replace("script-src 'none'", "script-src 'self'")
STYLE_BLOCK = re.compile(r"<style>(.*?)</style>", re.S)


class BodyTooLarge(StarletteHTTPException):
    """A request body over the limit (raised while it is read, when it came without a length)."""

    def __init__(self) -> None:
        super().__init__(status_code=413)


class BodyLimit:
    """Refuse request bodies over 1 MB (the photo upload: 2 MB) with 413 before reading them."""

    def __init__(self, app: ASGIApp, attachment_limit: int = 50 * 1024 * 1024) -> None:
        self.app = app
        self.attachment_limit = attachment_limit + FORM_MARGIN

    def limit_for(self, path: str) -> int:
        """The largest body this path accepts."""
        if ATTACHMENT_FORMS.match(path):
            return self.attachment_limit
        for prefix, limit in LARGER_BODIES.items():
            if path.startswith(prefix):
                return limit
        return MAX_BODY

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            await self._refuse(scope, send)
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge()
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, watched_send)
        except BodyTooLarge:
            if started:
                raise
            await self._refuse(scope, send)

    @staticmethod
    async def _refuse(scope: Scope, send: Send) -> None:
        response = problem(413, "request.too_large", "提交的内容过大（不超过1MB，照片不超过2MB）")
        response.headers["Connection"] = "close"
        await response(scope, _drain, send)


async def _drain() -> Message:
    return {"type": "http.disconnect"}


class SecurityHeaders:
    """Headers every response carries; pages also get a strict CSP and are never cached; in
    production (``hsts``) browsers are told to use HTTPS only, for a year."""

    def __init__(self, app: ASGIApp, hsts: bool = False) -> None:
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                extra = [
                    (b"x-content-type-options", b"nosniff"),
                    (b"x-frame-options", b"DENY"),
                    (b"referrer-policy", b"same-origin"),
                ]
                if self.hsts:
                    extra.append((b"strict-transport-security", HSTS))
                content_type = dict(headers).get(b"content-type", b"")
                if content_type.startswith(b"text/html"):
                    policy = CSP_SCRIPTED if scope["path"] in SCRIPTED_PAGES else CSP
                    extra.append((b"content-security-policy", policy.encode()))
                if b"cache-control" not in present and not scope["path"].startswith("/static/"):
                    # Pages and API answers carry personal data: never keep them in a cache.
                    extra.append((b"cache-control", b"no-store"))
                message["headers"] = headers + [h for h in extra if h[0] not in present]
            await send(message)

        await self.app(scope, receive, with_headers)


def with_style_hashes(response: HTMLResponse) -> HTMLResponse:
    """Allow the page's own inline ``<style>`` blocks (by hash) and nothing else inline."""
    body = bytes(response.body).decode("utf-8")
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(m.encode("utf-8")).digest()).decode() + "'"
        for m in STYLE_BLOCK.findall(body)
    )
    response.headers["Content-Security-Policy"] = CSP.replace(
        "style-src 'self'", f"style-src 'self' {hashes}".rstrip()
    )
    return response
