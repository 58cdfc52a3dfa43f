"""No personal data in logs (issue 10, docs/decisions/0036).

A session signs in, searches (pages and API), reads records, uses an API token and the calendar
feed, and sends reminders (one e-mail failing first); everything Django logged meanwhile, and the
line gunicorn's access log would write for each of those requests (its configured logger class
and format applied to the real request), must carry no name, record text, search term, token,
cookie or password. Log lines are JSON with the request id."""

from __future__ import annotations

import io
import json
import logging
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from gunicorn.config import Config

from accountability import services as accountability_services
from cases import services as cases_services
from coordination import gunicorn_conf
from coordination.logs import GunicornLogger, RequestIdFilter, redact
from sharing import services as sharing_services
from tests.api.conftest import token_client
from tests.reminders.conftest import run_scan
from tests.reminders.test_email import FlakyBackend

RECORD_TEXT = "Quentin disclosed worries about his stepfather at the Pinewood flat"
SEARCH = "Quentin"


class _FailOnceBackend(FlakyBackend):
    """The first send fails with an error whose text names the recipient, as SMTP servers do."""

    failed = False

    def send_messages(self, messages):
        if not _FailOnceBackend.failed:
            _FailOnceBackend.failed = True
            raise ConnectionRefusedError(f"mailbox of {messages[0].to[0]} (Maya Okafor) is full")
        mail.outbox.extend(messages)
        return len(messages)


@pytest.fixture
def django_log():
    """What the configured console handler (settings.LOGGING) writes, at DEBUG for everything."""
    root = logging.getLogger()
    handler = next(h for h in root.handlers if any(isinstance(f, RequestIdFilter) for f in h.filters))
    stream = io.StringIO()
    old_stream, old_level = handler.setStream(stream), root.level
    root.setLevel(logging.DEBUG)
    try:
        yield stream
    finally:
        handler.setStream(old_stream)
        root.setLevel(old_level)


def _access(logger, resp, req, environ) -> str:
    """What `logger.access()` hands its handler: the configured format filled with the logger's
    (wrapped) atoms. Formatted here rather than captured from gunicorn's handlers, which live on
    the process-wide `gunicorn.access` logger and are swapped by every new gunicorn Logger."""
    atoms = logger.atoms_wrapper_class(logger.atoms(resp, req, environ, timedelta(milliseconds=12)))
    return logger.cfg.access_log_format % atoms


def _gunicorn_access_line(response) -> str:
    """The access-log line gunicorn (configured by coordination/gunicorn_conf.py) writes for this
    request: its logger class and access_log_format, fed the request's real WSGI environ."""
    cfg = Config()
    for name in ("accesslog", "access_log_format", "logger_class"):
        cfg.set(name, getattr(gunicorn_conf, name))
    assert cfg.logger_class is GunicornLogger
    logger = cfg.logger_class(cfg)
    environ = dict(response.wsgi_request.META)
    query = environ.get("QUERY_STRING", "")
    environ["RAW_URI"] = environ["PATH_INFO"] + (f"?{query}" if query else "")
    environ["HTTP_REFERER"] = "https://joinedup.example.org" + environ["RAW_URI"]
    headers = [(k[5:].replace("_", "-").upper(), str(v)) for k, v in environ.items() if k.startswith("HTTP_")]

    class Resp:
        status = f"{response.status_code} {response.reason_phrase}"
        sent = len(getattr(response, "content", b"") or b"")

    Resp.headers = list(response.items())

    class Req:
        pass

    Req.headers = headers
    return _access(logger, Resp, Req, environ)


@pytest.fixture
def session_requests(world, settings, django_log):
    settings.MAILERS = {"default": {"BACKEND": "tests.security.test_logs._FailOnceBackend"}}
    settings.REMINDER_MAIL_RETRY_BACKOFF = 0
    _FailOnceBackend.failed = False
    sharing_services.record_write(case=world.case, category="general", text=RECORD_TEXT, actor=world.sam.user)
    record = sharing_services.record_write(case=world.case, category="health", text=RECORD_TEXT, actor=world.nia.user)
    api = token_client(world.sam.user)
    token = api._credentials["HTTP_AUTHORIZATION"].split()[-1]
    calendar = accountability_services.reminder_settings_for(professional=world.nia).calendar_token
    welcome = cases_services.portal_set_password_link(world.maya.user)  # /portal/welcome/<uid>/<token>/
    welcome_token = welcome.rstrip("/").rsplit("/", 1)[-1]

    browser = Client()
    responses = [browser.post("/accounts/login/", {"username": "sam", "password": world.password})]
    browser.force_login(world.sam.user)
    responses += [
        browser.get(f"/people/?q={SEARCH}+Okafor"),
        browser.get(f"/records/search/?q={SEARCH}"),
        browser.get("/cases/?q=Okafor"),
        browser.get(f"/cases/{world.case.id}/records/?q={SEARCH}"),
        browser.get(f"/cases/{world.case.id}/records/export.csv"),
        browser.get("/people/not-a-person/?q=Maya+Okafor"),  # a 404: Django logs it
        api.get(f"/api/v1/people/?q={SEARCH}"),
        api.get(f"/api/v1/cases/{world.case.id}/records/?q={SEARCH}"),
        api.get(f"/api/v1/cases/{world.case.id}/records/export/"),
        api.post(f"/api/v1/cases/{world.case.id}/records/", {"category": "nonsense", "text": RECORD_TEXT}),
        Client().get(f"/calendar/{calendar}.ics"),
        Client().get(f"/calendar/{calendar}x.ics"),  # a 404 on a path holding the secret
        Client().get(welcome),  # the one-time set-password link handed to the person
        Client().get(welcome + "x/"),  # a 404 on a path holding it
    ]
    nia = Client()
    nia.force_login(world.nia.user)
    responses.append(nia.get(f"/records/{record.id}/?from=search&q={SEARCH}"))
    run_scan(world.milestone.due_date)  # the reminder e-mail fails once (logged) ...
    run_scan(world.milestone.due_date)  # ... and is sent by the next sweep
    secrets = [
        "Maya",
        "Okafor",
        "Tester",
        SEARCH,
        RECORD_TEXT,
        "Pinewood",
        world.password,
        token,
        calendar,
        welcome_token,
        browser.cookies["sessionid"].value,
        "nia@example.org",
    ]
    return responses, secrets


def test_a_session_logs_no_personal_data_in_django_or_gunicorn_logs(session_requests, django_log):
    responses, secrets = session_requests
    assert mail.outbox, "the reminder was sent after its failure"
    django_lines = [line for line in django_log.getvalue().splitlines() if line.strip()]
    access_lines = [_gunicorn_access_line(r) for r in responses]
    # The logs were written at all: the failed e-mail, the 404s, and one access line per request.
    assert any("reminder e-mail" in line and "failed" in line for line in django_lines), django_lines
    assert any("Not Found" in line for line in django_lines), django_lines
    assert all(line.strip() for line in access_lines)
    for line in django_lines + access_lines:
        for secret in secrets:
            assert secret not in line, f"{secret!r} in the log line {line}"


def test_log_lines_are_json_with_the_request_id(session_requests, django_log):
    responses, _ = session_requests
    django_lines = [json.loads(line) for line in django_log.getvalue().splitlines() if line.strip()]
    not_found = next(e for e in django_lines if "Not Found" in e["message"])
    assert {"time", "level", "logger", "request_id", "message"} <= set(not_found)
    ids = {r["X-Request-ID"] for r in responses}
    assert not_found["request_id"] in ids
    access = [json.loads(_gunicorn_access_line(r)) for r in responses]
    assert [a["request_id"] for a in access] == [r["X-Request-ID"] for r in responses]
    assert access[1]["path"] == "/people/" and access[1]["method"] == "GET" and access[1]["status"] == "200"
    assert any(a["path"] == "/calendar/[redacted].ics" for a in access)


def test_redaction_takes_out_query_strings_and_the_calendar_secret():
    assert redact("GET /people/?q=Maya+Okafor HTTP/1.1") == "GET /people/ HTTP/1.1"
    assert redact("Not Found: /calendar/abc_DEF-123.ics") == "Not Found: /calendar/[redacted].ics"
    assert redact("GET /portal/welcome/MTIz/cz2k1a-0f3e9b7c/ HTTP/1.1") == "GET /portal/welcome/[redacted]/ HTTP/1.1"
    assert redact("Not Found: /portal/welcome/MTIz/cz2k1a-0f3e9b7c") == "Not Found: /portal/welcome/[redacted]/"
    assert redact("https://x.org/records/search/?q=Quentin&page=2") == "https://x.org/records/search/"
    assert redact("reminder e-mail 5 failed (attempt 1): ConnectionRefusedError") == (
        "reminder e-mail 5 failed (attempt 1): ConnectionRefusedError"
    )


def test_gunicorns_own_default_format_would_have_logged_the_search(session_requests):
    """The check above can fail: gunicorn's stock logger and format write the query string."""
    from gunicorn.glogging import Logger

    responses, _ = session_requests
    cfg = Config()
    cfg.set("accesslog", "-")
    logger = Logger(cfg)
    search = responses[1]
    environ = dict(search.wsgi_request.META)
    environ["RAW_URI"] = environ["PATH_INFO"] + "?" + environ["QUERY_STRING"]

    class Resp:
        status = "200 OK"
        sent = 1
        headers: list = []

    assert SEARCH in _access(logger, Resp, Resp, environ)
