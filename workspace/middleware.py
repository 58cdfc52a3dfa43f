"""Sign-in rules every request passes (issue 10; settings' "auth" block):

- SessionLimitsMiddleware: a session ends SESSION_IDLE_SECONDS after its last request or
  SESSION_MAX_SECONDS after signing in, whichever comes first;
- TwoFactorRequiredMiddleware: a professional or admin who must use two factors (REQUIRE_2FA)
  and has not verified one in this session reaches only the two-factor pages, sign-out and the
  public parts; every other page, /admin/ included, sends them to verify (or to enrol).

The API answers for itself (agencies.api.authentication: an unverified session does not count).
Floor 6 (workspace). May use every floor below.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse

from agencies.accounts import SECOND_FACTOR_DUE, has_second_factor, second_factor_pending, two_factor_required

SIGNED_IN_AT = "ju_signed_in_at"
LAST_SEEN = "ju_last_seen"
# A request refreshes the idle clock at most once a minute, so reading pages does not write the
# session on every request.
LAST_SEEN_RESOLUTION = 60
SESSION_STATUS_PATH = "/accounts/session/"

# Reachable before the second factor is verified.
OPEN_PREFIXES = (
    "/accounts/login/",
    "/accounts/logout/",
    "/accounts/two-factor/",
    "/accounts/session/",
    "/static/",
    "/healthz",
    "/api/",
)


def session_started(request: HttpRequest, user: Any) -> None:
    """A new sign-in (the user_logged_in signal, workspace.apps): start the clocks, and note
    whether a second factor is due before anything else (REQUIRE_2FA, or the user enrolled one)."""
    now = int(time.time())
    request.session[SIGNED_IN_AT] = now
    request.session[LAST_SEEN] = now
    request.session[SECOND_FACTOR_DUE] = two_factor_required(user) or has_second_factor(user)


def session_ends_at(request: HttpRequest, *, idle: bool = True) -> int:
    """When the session will end if nothing else happens (Unix time); idle=False: the absolute limit."""
    signed_in = int(request.session.get(SIGNED_IN_AT, time.time()))
    absolute = signed_in + settings.SESSION_MAX_SECONDS
    if not idle:
        return absolute
    last_seen = int(request.session.get(LAST_SEEN, time.time()))
    return min(last_seen + settings.SESSION_IDLE_SECONDS, absolute)


def session_touch(request: HttpRequest, *, force: bool = False) -> None:
    now = int(time.time())
    if force or now - int(request.session.get(LAST_SEEN, 0)) >= LAST_SEEN_RESOLUTION:
        request.session[LAST_SEEN] = now


class SessionLimitsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and SIGNED_IN_AT not in request.session:
            session_started(request, request.user)  # a session from before these rules: clocks start now
        if request.user.is_authenticated and time.time() >= session_ends_at(request):
            logout(request)  # the server-side session is deleted, not just forgotten
            if request.path.startswith(("/api/", "/accounts/session/")):
                return JsonResponse({"detail": "Your session has ended."}, status=401)
            messages.info(request, "You were signed out because the session ended. Sign in again.")
            return HttpResponseRedirect(f"{settings.LOGIN_URL}?{urlencode({'next': request.get_full_path()})}")
        if request.user.is_authenticated and request.path != SESSION_STATUS_PATH:
            session_touch(request)  # asking how long is left is not activity
        return self.get_response(request)


class TwoFactorRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user: Any = request.user
        if not request.path.startswith(OPEN_PREFIXES) and second_factor_pending(request):
            step = "workspace:two_factor_verify" if has_second_factor(user) else "workspace:two_factor_setup"
            return HttpResponseRedirect(f"{reverse(step)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
