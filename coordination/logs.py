"""Logs without personal data (issue 10, docs/decisions/0036).

Wiring only. Django's log lines are JSON (python-json-logger) with the request id of the request
that wrote them; gunicorn's access log (coordination/gunicorn_conf.py) goes through
`GunicornLogger`, which keeps only the method, the path with the calendar feed's secret and the
portal's set-password link redacted,
the status, the size, the time taken and the request id: never the query string (search terms),
the referrer's query, headers (tokens, cookies) or the basic-auth user.

`redact` is the one rule both use, and a filter applies it to every Django log line too, so a
path logged by Django itself (`Not Found: /calendar/<secret>.ics`) is redacted as well."""

from __future__ import annotations

import contextvars
import json
import logging
import re
from typing import Any

import pythonjsonlogger.json
from gunicorn.glogging import Logger

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

REDACTED = "[redacted]"
_CALENDAR_SECRET = re.compile(r"(/calendar/)[^/\s?#\"']+(\.ics)")
# The portal's one-time set-password link (cases.services): whoever holds it may set the password.
_WELCOME_TOKEN = re.compile(r"(/portal/welcome/)[^/\s?#\"']+/[^/\s?#\"']+/?")
# A request line or URL's query string: "GET /people/?q=Jade HTTP/1.1" -> "GET /people/ HTTP/1.1".
_QUERY = re.compile(r"(/[^\s?\"']*)\?[^\s\"']*")


def redact(text: str) -> str:
    """The calendar feed's secret, the portal's set-password link and every query string taken
    out of a path, a URL or a line."""
    text = _WELCOME_TOKEN.sub(rf"\1{REDACTED}/", _CALENDAR_SECRET.sub(rf"\1{REDACTED}\2", text))
    return _QUERY.sub(r"\1", text)


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record: the id of the request it names (django.request logs
    4xx and 5xx answers after the middleware has finished), else of the request being answered,
    else "-"."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        record.request_id = getattr(request, "request_id", None) or request_id_var.get()
        return True


class RedactFilter(logging.Filter):
    """Applies `redact` to the rendered message of every record (and drops its args)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep the record as it is
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


class JsonFormatter(pythonjsonlogger.json.JsonFormatter):
    """python-json-logger's formatter keeping only the fields of its format plus EXTRA_FIELDS:
    a record's other extras (django.request's `request`, whose repr holds the query string, or
    whatever a library passes) never reach the log, and every string kept is redacted."""

    EXTRA_FIELDS = frozenset({"status_code", "exc_info"})

    def add_fields(self, log_data: dict[str, Any], record: logging.LogRecord, message_dict: dict[str, Any]) -> None:
        super().add_fields(log_data, record, message_dict)
        allowed = {self._get_rename(f) for f in (*self._required_fields, *self.EXTRA_FIELDS)}
        for key in list(log_data):
            if key not in allowed:
                del log_data[key]
            elif isinstance(log_data[key], str):
                log_data[key] = redact(log_data[key])


# --- gunicorn ------------------------------------------------------------------------------------

# The atoms an access-log format may use; anything else (request headers `{name}i`, environ
# `{name}e`, `q`, `u`) renders as "-".
ACCESS_ATOMS = ("h", "t", "m", "U", "r", "s", "B", "b", "D", "M", "L", "T", "H", "p", "a", "f", "{x-request-id}o")


def access_atoms(atoms: dict[str, Any]) -> dict[str, str]:
    """gunicorn's atoms for one request, cut down to ACCESS_ATOMS with the path redacted, each
    value escaped for a JSON string (the access-log format is a JSON object)."""
    kept = {k: atoms.get(k, "-") for k in ACCESS_ATOMS}
    kept["U"] = redact(str(kept["U"] or "-"))
    method, protocol = atoms.get("m") or "-", atoms.get("H") or "-"
    kept["r"] = f"{method} {kept['U']} {protocol}"
    kept["f"] = redact(str(kept["f"] or "-"))
    return {k: json.dumps(str(v if v is not None else "-"))[1:-1] for k, v in kept.items()}


class GunicornLogger(Logger):
    """gunicorn's logger whose access lines carry only `access_atoms`."""

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        return access_atoms(super().atoms(resp, req, environ, request_time))
