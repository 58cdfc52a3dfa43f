"""The unread-notification count in the header of every page. Lazy: a page
that does not render it (or an anonymous visitor) costs no query."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.http import HttpRequest

from accountability.selectors import unread_count_for
from agencies.selectors import professional_for


class NotificationBadge:
    def __init__(self, request: HttpRequest) -> None:
        self._user = getattr(request, "user", None)

    @cached_property
    def unread(self) -> int:
        professional = professional_for(self._user)
        return unread_count_for(professional=professional) if professional is not None else 0

    @cached_property
    def is_professional(self) -> bool:
        return professional_for(self._user) is not None


def notifications(request: HttpRequest) -> dict[str, Any]:
    return {"notifications": NotificationBadge(request)}
