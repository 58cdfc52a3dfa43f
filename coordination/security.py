"""Response headers and request checks every page and endpoint shares (issue 10, docs/decisions/0035).

Wiring only. One middleware, placed after whitenoise (static files never reach it):

- refuses with 400 any request whose path, query string or body carries a NUL character, before a
  view or a database sees it (PostgreSQL cannot store NUL in text and answers an error for it);
- gives each request an id (`X-Request-ID`, also in every log line written while it runs);
- sets `Cache-Control: no-store` on every response the application answers itself: pages, API
  and the calendar feed all carry personal data for whoever is signed in, and a browser's or a
  proxy's cache must not keep them;
- sets `Permissions-Policy`: no camera, microphone, geolocation, payment, USB or sensors; passkeys
  (WebAuthn) for this origin only.

The Content-Security-Policy itself is Django's (`django.middleware.csp`, settings.SECURE_CSP)."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.cache import patch_cache_control

from coordination.logs import request_id_var

PERMISSIONS_POLICY = ", ".join(
    [
        "accelerometer=()",
        "autoplay=()",
        "camera=()",
        "display-capture=()",
        "geolocation=()",
        "gyroscope=()",
        "magnetometer=()",
        "microphone=()",
        "midi=()",
        "payment=()",
        "usb=()",
        "xr-spatial-tracking=()",
        "publickey-credentials-create=(self)",
        "publickey-credentials-get=(self)",
    ]
)

NUL_MESSAGE = "The request contains a NUL character, which is never valid here."
# A client-given request id is kept only when it looks like one (no log injection through it).
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def request_has_nul(request: HttpRequest) -> bool:
    """NUL anywhere the application reads text from: the path, the query string (decoded, so
    `?q=%00` counts), a form body, or a JSON body's keys and strings (`"\\u0000"`)."""
    if "\x00" in request.path or any(_has_nul(k) or _has_nul(request.GET.getlist(k)) for k in request.GET):
        return True
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return False
    content_type = request.content_type or ""
    if content_type.startswith(_FORM_TYPES):
        return any(_has_nul(k) or _has_nul(request.POST.getlist(k)) for k in request.POST)
    body = request.body
    if b"\x00" in body:
        return True
    if content_type.endswith("json") and b"\\u0000" in body:
        try:
            return _has_nul(json.loads(body))
        except ValueError:
            return False  # malformed JSON: the parser answers 400 itself
    return False


class HardeningMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get("X-Request-ID", "")
        request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        token = request_id_var.set(request_id)
        try:
            response = self._answer(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request_id
        response["Permissions-Policy"] = PERMISSIONS_POLICY
        if "no-store" not in response.get("Cache-Control", ""):
            if "Cache-Control" in response:
                del response["Cache-Control"]
            patch_cache_control(response, no_store=True, private=True)
        return response

    def _answer(self, request: HttpRequest) -> HttpResponse:
        if request_has_nul(request):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": NUL_MESSAGE}, status=400)
            return HttpResponseBadRequest(NUL_MESSAGE, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
