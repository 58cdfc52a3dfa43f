"""Per-user rate limits on exports and searches (issue 10, docs/decisions/0038).

Floor 2: every app's pages and API use these. DRF's SimpleRateThrottle counts in the cache
(CACHE_URL: shared by every web process; it fails open while Redis is away, as the other API
throttles do), keyed by the signed-in user, so one account cannot page through everyone's
records by search or pull export after export. Pages answer 429 in plain words; the API answers
429 `{"detail": ...}` (agencies.api.base.exception_handler). Both send Retry-After."""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.http import HttpRequest, HttpResponse
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

MESSAGES = {
    "export": "You have made many exports in a short time. Please wait {wait} and try again.",
    "search": "You have searched many times in a short time. Please wait {wait} and try again.",
}


def wait_in_words(seconds: float | None) -> str:
    n = max(1, math.ceil(seconds or 1))
    if n < 120:
        return f"{n} second{'s' if n != 1 else ''}"
    return f"{math.ceil(n / 60)} minutes"


class UserRateThrottle(SimpleRateThrottle):
    """Counts the signed-in user's requests in `scope` (anonymous callers never get this far)."""

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        user: Any = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not self.counts(request):
            return None
        return self.cache_format % {"scope": self.scope, "ident": user.pk}

    def counts(self, request: Any) -> bool:
        return True

    def get_rate(self) -> str | None:
        # Read when asked, not at import (SimpleRateThrottle's class attribute), so a changed
        # setting applies at once.
        rate = api_settings.DEFAULT_THROTTLE_RATES.get(str(self.scope))
        return str(rate) if rate is not None else None


class ExportThrottle(UserRateThrottle):
    scope = "export"


class SearchThrottle(UserRateThrottle):
    """Only requests that search (a non-empty `q`) count."""

    scope = "search"

    def counts(self, request: Any) -> bool:
        params = getattr(request, "query_params", None) or request.GET
        return bool((params.get("q") or "").strip())


def page_rate_limited(throttle_class: type[UserRateThrottle]) -> Callable:
    """The same limit for a page view: 429 in plain words, with Retry-After."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            throttle = throttle_class()
            if not throttle.allow_request(cast(Any, request), cast(Any, None)):
                wait = throttle.wait()
                message = MESSAGES[str(throttle_class.scope)].format(wait=wait_in_words(wait))
                response = HttpResponse(message, status=429, content_type="text/plain; charset=utf-8")
                response["Retry-After"] = str(max(1, math.ceil(wait or 1)))
                return response
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
