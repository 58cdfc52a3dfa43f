"""GET /healthz (DESIGN.md "API"): 200 when the database and the broker answer, 503 otherwise,
without signing in, and nothing else said."""

import time

import pytest
from django.db import OperationalError, connection

from tests.faults.servers import free_port


@pytest.fixture
def broker_away(settings):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{free_port()}/0"


def test_healthz_answers_200_without_signing_in_when_database_and_broker_answer(db, client):
    answer = client.get("/healthz")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok", "checks": {"database": "ok", "broker": "ok"}}
    assert "no-store" in answer["Cache-Control"]


def test_healthz_answers_503_quickly_while_the_broker_is_away(db, client, broker_away):
    started = time.monotonic()
    answer = client.get("/healthz")
    assert answer.status_code == 503
    assert answer.json() == {"status": "unavailable", "checks": {"database": "ok", "broker": "unavailable"}}
    assert time.monotonic() - started < 3


def test_healthz_answers_503_while_the_database_is_away(db, client, monkeypatch):
    def away(*args, **kwargs):
        raise OperationalError("could not connect to server: Connection refused (db.internal:5432)")

    with monkeypatch.context() as m:
        m.setattr(connection, "cursor", away)
        answer = client.get("/healthz")
    assert answer.status_code == 503
    assert answer.json() == {"status": "unavailable", "checks": {"database": "unavailable", "broker": "ok"}}
    assert b"db.internal" not in answer.content and b"refused" not in answer.content


def test_healthz_only_answers_reads(db, client):
    assert client.post("/healthz").status_code == 405
