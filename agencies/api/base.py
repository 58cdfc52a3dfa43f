"""Shared API plumbing for every app (agencies is the lowest layer, so all may import it)."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property, partial
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import Page, Paginator
from rest_framework import exceptions, permissions, serializers
from rest_framework.exceptions import ErrorDetail, Throttled
from rest_framework.metadata import SimpleMetadata
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from agencies.selectors import is_admin, professional_for
from agencies.throttling import MESSAGES, wait_in_words
from agencies.validation import date_in_range


def _field_messages(exc: DjangoValidationError) -> dict[str, Any]:
    if hasattr(exc, "error_dict"):
        return {field: [str(m) for e in errors for m in e.messages] for field, errors in exc.error_dict.items()}
    return {"non_field_errors": [str(m) for m in exc.messages]}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus: a service's Django ValidationError is a 400 with field messages."""
    if isinstance(exc, DjangoValidationError):
        exc = serializers.ValidationError(_field_messages(exc))
    if isinstance(exc, Throttled):
        # Exports and searches say so in a plain sentence, as the pages do (agencies.throttling).
        scopes = [getattr(t, "scope", None) for t in getattr(context.get("view"), "get_throttles", list)()]
        scope = next((s for s in scopes if s in MESSAGES), None)
        if scope:
            exc.detail = ErrorDetail(
                MESSAGES[scope].format(wait=wait_in_words(getattr(exc, "wait", None))), "throttled"
            )
    return drf_exception_handler(exc, context)


class IsProfessionalOrAdmin(permissions.BasePermission):
    """Signed in as a professional or an admin (service users use the portal and their own endpoints)."""

    message = "Only professionals and administrators can use this endpoint."

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        if not getattr(user, "is_authenticated", False):
            return False
        if is_admin(user) or professional_for(user) is not None:
            return True
        if hasattr(user, "person"):
            # A portal account: these paths do not exist for it (404, as for an unseen case).
            raise exceptions.NotFound()
        return False


def uuid_path_parameters(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: every `<name>_id` path parameter is a UUID.

    URLs take any segment (`<str:case_id>`) so that a malformed id reaches the selector and
    answers the API's JSON 404; the contract still documents ids as UUIDs."""
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                if parameter.get("in") == "path" and parameter.get("name", "").endswith("_id"):
                    parameter["schema"] = {"type": "string", "format": "uuid"}
    return result


class FirstPageCountingPaginator(Paginator):
    """Django's Paginator, minus the COUNT query when the first page is not full: then
    the page's own length is the count. Most callers' lists (a caseload, a case's plan)
    fit on one page, so most list requests save a database round trip. A full first
    page keeps the rows it fetched (the COUNT runs when the links need it), instead of
    fetching the same page again."""

    def __init__(self, object_list: Any, per_page: Any, *, count: Callable[[], int | None] | None = None) -> None:
        super().__init__(object_list, per_page)
        self._count = count

    @cached_property
    def count(self) -> int:
        """The view's own way of counting when it has one (`list_count`), else COUNT(*)."""
        counted = self._count() if self._count is not None else None
        return counted if counted is not None else Paginator.count.func(self)  # type: ignore[attr-defined]

    def page(self, number: Any) -> Page:
        if "count" not in self.__dict__ and str(number) == "1" and not self.orphans:
            rows = list(self.object_list[: self.per_page])
            if len(rows) < self.per_page:
                self.__dict__["count"] = len(rows)  # fills the cached_property
            return Page(rows, 1, self)
        return super().page(number)


class Pagination(PageNumberPagination):
    """`{count, next, previous, results}`, as every list of the API answers."""

    django_paginator_class: Any = FirstPageCountingPaginator

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> list[Any] | None:
        """A view may count its list more cheaply than COUNT(*) over the queryset: its
        `list_count()`, returning an int, or None to fall back to COUNT(*)."""
        counter = getattr(view, "list_count", None)
        self.django_paginator_class = partial(FirstPageCountingPaginator, count=counter)
        return super().paginate_queryset(queryset, request, view)


class BoundedDateField(serializers.DateField):
    """A date the API accepts only within 1900-2200 (agencies.validation), so no absurd date is
    stored and then breaks a reader (the calendar feed, a reminder scan)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.validators.append(date_in_range)


ERROR_RESPONSES = {
    "400": 'Bad input: field messages (`{"field": ["message"]}`) or `{"detail": ...}`; nothing was written',
    "401": "Not signed in (no, or an unknown, token)",
    "403": "Visible, but not allowed",
    "404": "Not visible to the caller, or no such page",
}


def error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: the errors every operation may answer (DESIGN.md "API":
    400 with field messages, 401, 403, 404) documented on each, with their body, plus 429 on the
    operations a rate limit applies to, so a client (and Schemathesis) finds every status it can be
    answered in the schema (docs/decisions/0039)."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = {
        "type": "object",
        "description": "`detail` for a refusal; for bad input, a list of messages per field instead.",
        "properties": {"detail": {"type": "string"}},
        "additionalProperties": True,
    }
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    throttled = {
        (path, method.lower())
        for path, _regex, method, callback in getattr(generator, "endpoints", None) or []
        if getattr(getattr(callback, "cls", None), "throttle_classes", None)
    }
    for path, path_item in result.get("paths", {}).items():
        for method, operation in path_item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            codes = dict(ERROR_RESPONSES)
            if "requestBody" in operation:
                codes["415"] = "The body's content type is not one this operation reads (JSON, form or multipart)"
            if (path, method) in throttled:
                codes["429"] = "Too many requests in a short time: `detail` says how long to wait (Retry-After)"
            for code, description in codes.items():
                responses.setdefault(code, {"description": description, "content": error})
    return result


class PlainMetadata(SimpleMetadata):
    """OPTIONS answers the view's name, what it renders and parses, never its actions: DRF's
    default describes them by building the view's serializer and reading the object (a database
    read, and an error for views whose serializer depends on the request)."""

    def determine_actions(self, request: Any, view: Any) -> dict[str, Any]:
        return {}
