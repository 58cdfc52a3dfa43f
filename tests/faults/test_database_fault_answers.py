"""What a caller is told when the database connection goes in the middle of their request
(coordination/faults.py): a read is read again, a write answers 503 with Retry-After and says
whether it was saved. The real drop under gunicorn is in test_database_drops.py."""

import pytest
from django.db import OperationalError, connection, connections
from rest_framework.test import APIClient

from cases import selectors as case_selectors
from coordination.postgresql.base import CommitOutcomeUnknown
from plans import services as plan_services
from plans.models import ItemStatus
from tests.factories import api_token_for


def _api(professional) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(professional.user)}")
    return client


def _raising(exc: Exception):
    def fail(**kwargs):
        raise exc

    return fail


def test_a_write_cut_off_before_commit_answers_503_saying_nothing_was_saved(world, monkeypatch):
    monkeypatch.setattr(plan_services, "milestone_complete", _raising(OperationalError("server closed the connection")))
    answer = _api(world.nia).post(f"/api/v1/milestones/{world.milestone.id}/complete/")
    assert answer.status_code == 503
    assert answer["Retry-After"] == "5"
    assert answer.json()["saved"] is False
    assert "not saved" in answer.json()["detail"]
    assert "server closed" not in answer.content.decode()  # the error itself is not shown


def test_a_write_cut_off_during_commit_answers_503_saying_it_may_have_been_saved(world, monkeypatch):
    monkeypatch.setattr(plan_services, "milestone_complete", _raising(CommitOutcomeUnknown("connection lost")))
    answer = _api(world.nia).post(f"/api/v1/milestones/{world.milestone.id}/complete/")
    assert answer.status_code == 503
    assert answer.json()["saved"] is None
    assert "may or may not have been saved" in answer.json()["detail"]


def test_a_page_write_cut_off_answers_a_503_page_saying_nothing_was_saved(world, client, monkeypatch):
    monkeypatch.setattr(plan_services, "milestone_complete", _raising(OperationalError("terminating connection")))
    client.force_login(world.nia.user)
    answer = client.post(f"/milestones/{world.milestone.id}/complete/")
    assert answer.status_code == 503
    assert answer["Retry-After"] == "5"
    assert b"Your change was not saved" in answer.content
    world.milestone.refresh_from_db()
    assert world.milestone.status == ItemStatus.OPEN


def test_a_read_cut_off_once_is_read_again_on_a_new_connection(world, monkeypatch):
    real = case_selectors.case_list_rows
    calls = []

    def drops_once(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real(**kwargs)

    monkeypatch.setattr(case_selectors, "case_list_rows", drops_once)
    answer = _api(world.sam).get("/api/v1/cases/")
    assert answer.status_code == 200
    assert [c["id"] for c in answer.json()["results"]] == [str(world.case.id)]
    assert len(calls) == 2


def test_a_read_that_keeps_failing_answers_503_not_500(world, monkeypatch):
    monkeypatch.setattr(case_selectors, "case_list_rows", _raising(OperationalError("the database is starting up")))
    answer = _api(world.sam).get("/api/v1/cases/")
    assert answer.status_code == 503
    assert answer.json()["saved"] is False


def test_other_errors_are_not_disguised_as_database_faults(world, monkeypatch):
    monkeypatch.setattr(case_selectors, "case_list_rows", _raising(RuntimeError("a bug")))
    client = _api(world.sam)
    client.raise_request_exception = False
    assert client.get("/api/v1/cases/").status_code == 500


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the COMMIT of PostgreSQL's backend")
@pytest.mark.django_db(transaction=True)
def test_a_commit_whose_connection_the_database_ended_raises_outcome_unknown():
    cut = connections.create_connection("default")
    try:
        cut.set_autocommit(False)
        with cut.cursor() as c:
            c.execute("SELECT pg_backend_pid()")
            (pid,) = c.fetchone()
        with connection.cursor() as c:
            c.execute("SELECT pg_terminate_backend(%s)", [pid])
        with pytest.raises(CommitOutcomeUnknown):
            cut.commit()
    finally:
        cut.close()
