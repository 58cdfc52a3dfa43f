"""The database ends the app's connections (a PostgreSQL restart or fail-over) under gunicorn
with persistent connections: no request after it fails, and a write caught in flight is either
committed whole or not at all, and the caller is told which."""

import threading

import psycopg2
import pytest

from tests.faults import servers
from tests.reminders import procs

pytestmark = pytest.mark.worker


def _ids(client: servers.Client) -> tuple[str, str]:
    cases = client.request("GET", "/api/v1/cases/", api=True)
    assert cases.status == 200, cases
    case_id = cases.json()["results"][0]["id"]
    milestones = client.request("GET", f"/api/v1/cases/{case_id}/milestones/", api=True)
    assert milestones.status == 200, milestones
    return case_id, milestones.json()["results"][0]["id"]


def test_every_page_and_api_request_after_the_database_ends_connections_succeeds(procdb, web):
    sam = servers.Client(web.base)
    sam.sign_in("sam")
    case_id, milestone_id = _ids(sam)
    paths = [
        ("GET", "/api/v1/cases/", True),
        ("GET", "/", False),
        ("GET", f"/cases/{case_id}/", False),
        ("GET", f"/api/v1/milestones/{milestone_id}/", True),
        ("GET", "/api/v1/me/notifications/", True),
    ]
    for _round in range(3):
        assert servers.terminate_backends(procdb.url) >= 1  # the app held a persistent connection
        servers.wait_until_gone(procdb.url)
        answers = [(path, sam.request(method, path, api=api).status) for method, path, api in paths]
        assert all(status == 200 for _, status in answers), (answers, web.log.read_text()[-3000:])


def test_a_write_whose_connection_drops_in_flight_is_not_saved_and_the_caller_is_told_to_retry(procdb, web):
    sam = servers.Client(web.base)
    sam.sign_in("sam")
    _case_id, milestone_id = _ids(sam)
    answer: list[servers.Answer] = []
    # Hold the milestone's row so the completion waits inside its transaction, then end the
    # app's connection while it waits: the write is in flight when the database goes.
    with psycopg2.connect(procdb.url) as lock, lock.cursor() as c:
        c.execute("SELECT 1 FROM plans_milestone WHERE id = %s FOR UPDATE", [milestone_id])
        t = threading.Thread(
            target=lambda: answer.append(sam.request("POST", f"/api/v1/milestones/{milestone_id}/complete/", api=True))
        )
        t.start()

        def waiting() -> bool:
            c.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock'",
                [procdb.name],
            )
            return c.fetchone()[0] == 1

        procs.wait_for(waiting, 30, "the completion never reached the locked row")
        c.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            [procdb.name],
        )
        t.join(30)
    (dropped,) = answer
    assert dropped.status == 503, (dropped, web.log.read_text()[-3000:])
    assert dropped.headers.get("Retry-After")
    assert dropped.json()["saved"] is False
    assert "not saved" in dropped.json()["detail"]
    status = procdb.count(f"SELECT count(*) FROM plans_milestone WHERE id = '{milestone_id}' AND status = 'open'")  # noqa: S608
    assert status == 1
    assert procdb.count("SELECT count(*) FROM audit_auditevent WHERE action = 'cases.milestone.completed'") == 0

    again = sam.request("POST", f"/api/v1/milestones/{milestone_id}/complete/", api=True)
    assert again.status == 200, again
    assert procdb.count("SELECT count(*) FROM audit_auditevent WHERE action = 'cases.milestone.completed'") == 1
