"""The broker (Redis, also the shared cache) away, against a gunicorn, a Celery worker and beat
that the test starts on a redis-server of its own: every page and API request still answers,
/healthz says 503, and the notice written while it was away is delivered once when it is back."""

import time

import psycopg2
import pytest

from tests.faults import servers
from tests.reminders import procs

pytestmark = pytest.mark.worker


def _one(url: str, sql: str, params: list) -> str:
    with psycopg2.connect(url) as con, con.cursor() as c:
        c.execute(sql, params)
        return str(c.fetchone()[0])


def test_with_the_broker_away_every_request_answers_and_the_notice_is_delivered_once_it_is_back(
    procdb, tmp_path, started
):
    redis = servers.RedisServer(tmp_path)
    redis.start()
    started.append(redis)
    environ = procs.env(
        procdb.url,
        tmp_path,
        DB_CONN_MAX_AGE="60",
        CELERY_BROKER_URL=redis.url(0),
        CACHE_URL=redis.url(1),
        NOTICE_DELIVERY_SECONDS="1",
    )
    web, worker, beat = servers.Gunicorn(environ), procs.Worker(environ, "w1"), servers.Beat(environ)
    started.extend([web, worker, beat])
    web.wait_ready()
    worker.wait_ready()
    sam = servers.Client(web.base)
    sam.sign_in("sam")
    assert sam.request("GET", "/healthz", api=True).status == 200

    nia = _one(
        procdb.url,
        "SELECT p.id FROM agencies_professional p JOIN auth_user u ON u.id = p.user_id WHERE u.username = %s",
        ["nia"],
    )
    milestone = _one(
        procdb.url,
        "SELECT m.id FROM plans_milestone m JOIN agencies_professional p"
        " ON p.id = m.accountable_id JOIN auth_user u ON u.id = p.user_id WHERE u.username = %s"
        " ORDER BY m.title LIMIT 1",
        ["sam"],
    )
    case = _one(procdb.url, "SELECT case_id FROM plans_milestone WHERE id = %s", [milestone])

    redis.stop()
    away = sam.request("GET", "/healthz", api=True)
    assert away.status == 503
    assert away.json() == {"status": "unavailable", "checks": {"database": "ok", "broker": "unavailable"}}
    answers = {
        "my work": sam.request("GET", "/").status,
        "case page": sam.request("GET", f"/cases/{case}/").status,
        "case list API": sam.request("GET", "/api/v1/cases/", api=True).status,
        "notifications API": sam.request("GET", "/api/v1/me/notifications/", api=True).status,
        "token (throttled)": sam.request(
            "POST", "/api/v1/auth/token/", {"username": "sam", "password": servers.PASSWORD}, api=True
        ).status,
        "handover": sam.request("PATCH", f"/api/v1/milestones/{milestone}/", {"accountable": nia}, api=True).status,
    }
    assert all(status == 200 for status in answers.values()), (answers, web.log.read_text()[-3000:])
    notices = "SELECT count(*) FROM accountability_notification WHERE kind = 'handover'"
    assert procdb.count(notices) == 0
    assert procdb.count("SELECT count(*) FROM accountability_reminder WHERE kind = 'handover'") == 1

    redis.start()  # the broker is back, on the same address
    procs.wait_for(
        lambda: procdb.count(notices) == 1, 90, worker.log.read_text()[-3000:] + beat.log.read_text()[-3000:]
    )
    procs.wait_for(lambda: sam.request("GET", "/healthz", api=True).status == 200, 30, "healthz still 503")
    time.sleep(3)  # more beats, more deliveries: still one
    assert procdb.count(notices) == 1
    mails = [m for m in procs.emails_in(tmp_path / "mail") if "handed over to you" in m]
    assert len(mails) == 1
