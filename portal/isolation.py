"""A service user's account reaches their own portal and nothing else.

Every page and API path of the professionals answers 404 to a portal account (a user
who is a Person and not a professional or an admin), the same answer as an unseen
case, so nothing leaks that a professional page exists or what it holds (issue 12:
it was 403). Decided here, once, before any view runs; the selectors below still
decide what inside their own paths a portal account may read.

Floor 6 (portal). Installed in coordination/settings.py after the authentication
middleware.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import Resolver404, resolve
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated

from agencies.selectors import is_admin, professional_for

# URL names a portal account may use; everything else answers 404.
# portal_meetings: the family's side of a meeting (meetings' portal pages); otp_webauthn: passkeys,
# which a service user may enrol and sign in with.
PORTAL_NAMESPACES = {"portal", "portal_meetings", "otp_webauthn"}
PORTAL_NAMES = {
    "login",
    "logout",
    "password_change",
    "password_change_done",
    "healthz",
    # the site's root: it sends a portal account on to its portal
    "workspace:my_work",
    # a second factor is optional for a service user who enrolled one, then asked at sign-in;
    # the session's idle warning asks and extends on every page
    "workspace:two_factor_setup",
    "workspace:two_factor_verify",
    "workspace:recovery_codes",
    "workspace:session_status",
    "workspace:session_extend",
    "api:me",
    "api:auth-token",
    # the person's own consent decisions (the selectors answer 404 for anyone else's)
    "api:person-consents",
    "api:consent-withdraw",
    # the family's own view of a meeting of their case (meetings.services.view_author_for: 404 otherwise)
    "api:meeting-my-view",
}
PORTAL_API_PREFIX = "api:me-"


def is_service_user(user: object) -> bool:
    """A portal account: signed in, a Person, neither a professional nor an admin."""
    if not getattr(user, "is_authenticated", False) or is_admin(user) or professional_for(user) is not None:
        return False
    return hasattr(user, "person")


def portal_may_reach(path: str) -> bool:
    try:
        match = resolve(path)
    except Resolver404:
        return True  # answers 404 on its own
    name = match.view_name
    return bool(set(match.namespaces) & PORTAL_NAMESPACES or name in PORTAL_NAMES or name.startswith(PORTAL_API_PREFIX))


class ServiceUserIsolationMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if is_service_user(request.user) and not portal_may_reach(request.path_info):
            if request.path_info.startswith("/api/"):
                return JsonResponse({"detail": "Not found."}, status=404)
            raise Http404("Not found")
        return self.get_response(request)


class ServiceUsersOwnPathsOnly(IsAuthenticated):
    """The API's default permission: signed in, and a portal account (however it signed in,
    token included, which the middleware cannot see) reaches only its own paths (404)."""

    def has_permission(self, request: Any, view: Any) -> bool:
        if not super().has_permission(request, view):
            return False
        if is_service_user(request.user) and not portal_may_reach(request.path_info):
            raise NotFound()
        return True
