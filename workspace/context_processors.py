"""What the base layout needs about the signed-in user: their name, whether
they are a professional, a service user or a team lead, and which section of
the navigation the current page belongs to. Evaluated lazily, so a page that
does not render the header costs no queries."""

from __future__ import annotations

import time
from functools import cached_property
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from agencies.selectors import is_information_governance_lead, leads_a_team, professional_for

# (namespace, url name) -> navigation section, where it is not the namespace's default
_SECTIONS = {
    ("sharing", "record_search"): "records",
    ("sharing", "review_queue"): "governance",
    ("sharing", "review_record"): "governance",
    ("sharing", "audit_trail"): "audit",
    ("sharing", "person_consents"): "people",
}
_NAMESPACE_SECTION = {"portal": "portal", "plans": "cases", "sharing": "cases", "cases": "cases"}


class Navigation:
    def __init__(self, request: HttpRequest) -> None:
        self._request = request
        self._user = request.user

    @cached_property
    def professional(self) -> Any:
        return professional_for(self._user)

    @cached_property
    def is_professional(self) -> bool:
        return self.professional is not None

    @cached_property
    def is_service_user(self) -> bool:
        if self.professional is not None or not self._user.is_authenticated:
            return False
        return hasattr(self._user, "person")

    @cached_property
    def leads_team(self) -> bool:
        if self.professional is None:
            return False
        # Loaded with the user by agencies.backends.ProfessionalModelBackend; asked for otherwise.
        flag = getattr(self._user, "leads_a_team", None)
        return bool(flag) if flag is not None else leads_a_team(professional=self.professional)

    @cached_property
    def is_information_governance_lead(self) -> bool:
        if self.professional is None:
            return False
        # Loaded with the user by agencies.backends.ProfessionalModelBackend; asked for otherwise.
        flag = getattr(self._user, "is_information_governance_lead", None)
        return bool(flag) if flag is not None else is_information_governance_lead(user=self._user)

    @cached_property
    def can_read_audit(self) -> bool:
        return bool(self._user.is_superuser) or self.is_information_governance_lead

    @cached_property
    def display_name(self) -> str:
        if self.professional is not None:
            return self.professional.full_name
        full_name = getattr(self._user, "get_full_name", lambda: "")()
        return full_name or self._user.get_username()

    @cached_property
    def agency_name(self) -> str:
        if self.professional is not None:
            return self.professional.agency.name
        return ""

    @cached_property
    def session_seconds_left(self) -> int:
        """Until the session ends if nothing else happens (the page warns before; workspace.middleware).
        The idle clock moves once a minute, so this counts a minute less: the same on every page,
        unless the absolute limit comes sooner."""
        from workspace.middleware import LAST_SEEN_RESOLUTION, session_ends_at

        idle_left = settings.SESSION_IDLE_SECONDS - LAST_SEEN_RESOLUTION
        absolute_left = session_ends_at(self._request, idle=False) - int(time.time())
        return max(0, min(idle_left, absolute_left))

    @cached_property
    def session_warning_seconds(self) -> int:
        return int(settings.SESSION_WARNING_SECONDS)

    @cached_property
    def section(self) -> str:
        match = getattr(self._request, "resolver_match", None)
        if match is None:
            return ""
        if match.namespace == "workspace":
            return match.url_name or ""
        key = (match.namespace, match.url_name)
        if key in _SECTIONS:
            return _SECTIONS[key]
        if match.namespace == "cases" and (match.url_name or "").startswith("person"):
            return "people"
        return _NAMESPACE_SECTION.get(match.namespace, match.namespace)


def navigation(request: HttpRequest) -> dict[str, Any]:
    if not request.user.is_authenticated:
        return {}
    return {"nav": Navigation(request)}
