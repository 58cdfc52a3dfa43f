"""The portal in the person's language (docs/decisions/0067).

A portal page (the namespaces a portal account may reach, portal.isolation) is drawn in the
language the signed-in person chose with the switcher on every portal page (kept in their
session), else in their `preferred_language` (a BCP 47 tag the lead professional records: `cy`,
`pl-PL`, `ar`, …), else in British English. Professional pages, and anyone who is not a portal
account, stay in English whatever their browser asks: the translations are the portal's only.

Floor 6 (portal). Installed in coordination/settings.py after the isolation middleware.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from portal.isolation import PORTAL_NAMESPACES, is_service_user

DEFAULT = "en-gb"
SESSION_KEY = "portal_language"
# The portal's languages, each as its speakers write it (the switcher's labels).
PORTAL_LANGUAGES = dict(settings.LANGUAGES)


def language_for_tag(tag: str | None) -> str:
    """A person's BCP 47 tag as one of the portal's languages: `cy-GB` is Welsh, `en-US` and
    anything the portal has not been translated into are British English."""
    primary = (tag or "").strip().lower().replace("_", "-").split("-")[0]
    if primary in PORTAL_LANGUAGES:
        return primary
    return DEFAULT


def portal_language(request: HttpRequest) -> str:
    """The language of this portal account's pages: its switcher choice, else its person's."""
    chosen = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    if chosen in PORTAL_LANGUAGES:
        return str(chosen)
    person = getattr(request.user, "person", None)
    return language_for_tag(getattr(person, "preferred_language", None))


class PortalLanguageMiddleware:
    """Activates the person's language for a portal page, and British English for every other
    request (so a thread never carries one person's language into the next request)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        translation.activate(DEFAULT)
        request.LANGUAGE_CODE = DEFAULT  # type: ignore[attr-defined]
        try:
            response = self.get_response(request)
            response.headers.setdefault("Content-Language", translation.get_language() or DEFAULT)
            return response
        finally:
            translation.activate(DEFAULT)

    def process_view(self, request: HttpRequest, view: Any, args: Any, kwargs: Any) -> None:
        match = request.resolver_match
        if match is None or not set(match.namespaces) & PORTAL_NAMESPACES or not is_service_user(request.user):
            return None
        language = portal_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language  # type: ignore[attr-defined]
        return None


@require_POST
def language_choose(request: HttpRequest) -> HttpResponse:
    """The switcher: keep the chosen language for this sign-in and go back to the same page."""
    if not is_service_user(request.user):
        raise Http404("Not found")
    language = request.POST.get("language", "")
    if language in PORTAL_LANGUAGES:
        request.session[SESSION_KEY] = language
    back = request.POST.get("next", "")
    if not (
        back.startswith("/portal/")
        and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=False)
    ):
        back = "/portal/"
    return HttpResponseRedirect(back)
