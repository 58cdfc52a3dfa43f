"""Requests through database faults (docs/decisions/0017).

Wiring only. With CONN_HEALTH_CHECKS a connection the database ended (a restart, a fail-over)
is noticed at the start of the next request and replaced, so no request after a fault fails.
A request whose own connection drops is answered here instead of with a 500:

- a read (GET, HEAD) is run once more on a new connection; reads change nothing, so that is safe;
- a write answers 503 with Retry-After and says whether anything was saved: nothing, when the
  connection went before COMMIT (PostgreSQL rolled the transaction back); not known, when it went
  during COMMIT (coordination.postgresql.CommitOutcomeUnknown).

Logs name the view and the error class only, never the path's ids or any case content."""

from __future__ import annotations

import logging
import sys
from typing import Any

from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.views.defaults import server_error

from coordination.postgresql.base import CommitOutcomeUnknown

logger = logging.getLogger("coordination.faults")

RETRY_AFTER_SECONDS = 5
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

NOT_SAVED = (
    "The connection to the database was lost before your change was saved. "
    "Your change was not saved: nothing was changed. Please try again in a few seconds."
)
UNKNOWN = (
    "The connection to the database was lost while your change was being saved, so it may or may "
    "not have been saved. Reload the page to check before trying again."
)
READ_FAILED = "The database is not answering. Nothing was changed. Please try again in a few seconds."

DATABASE_FAULTS = (OperationalError, InterfaceError)


def _reset_connections() -> None:
    for conn in connections.all(initialized_only=True):
        if not conn.in_atomic_block:
            conn.close()


def _view_name(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    return match.view_name if match else "-"


def database_unavailable(request: HttpRequest, exc: BaseException) -> HttpResponse:
    """503 with Retry-After and what became of the caller's change (`saved`: false, or null if unknown)."""
    if request.method in SAFE_METHODS:
        saved, detail = False, READ_FAILED
    elif isinstance(exc, CommitOutcomeUnknown):
        saved, detail = None, UNKNOWN
    else:
        saved, detail = False, NOT_SAVED
    logger.warning(
        "database unavailable: %s %s answered 503 (%s, saved=%s)",
        request.method,
        _view_name(request),
        type(exc).__name__,
        saved,
    )
    _reset_connections()
    wants_json = request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", "")
    if wants_json:
        response: HttpResponse = JsonResponse({"detail": detail, "saved": saved}, status=503)
    else:
        html = render_to_string("database_unavailable.html", {"detail": detail})
        response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseFaultMiddleware:
    """Answers a view's lost database connection: reads once more, writes 503 saying what was saved."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DATABASE_FAULTS):
            return None
        match = getattr(request, "resolver_match", None)
        if request.method in SAFE_METHODS and match is not None and not getattr(request, "_database_retried", False):
            request._database_retried = True  # type: ignore[attr-defined]
            _reset_connections()
            logger.warning("database connection lost during %s %s; read again", request.method, match.view_name)
            try:
                response = match.func(request, *match.args, **match.kwargs)
                if hasattr(response, "render") and callable(response.render):
                    response = response.render()
                return response
            except DATABASE_FAULTS as again:
                return database_unavailable(request, again)
        return database_unavailable(request, exception)


def handler500(request: HttpRequest) -> HttpResponse:
    """A database fault outside a view (a middleware saving the session) is a 503 too; the rest a 500."""
    exc = sys.exc_info()[1]
    if isinstance(exc, DATABASE_FAULTS):
        return database_unavailable(request, exc)
    return server_error(request)
