"""Against the real Redis broker (DB 6) and real `celery worker` processes.

The scan runs in its own process and enqueues on Redis; a worker started by
the test delivers into a PostgreSQL database that the test's processes
migrated and seeded (committed data every process sees). Then a worker is
SIGKILLed in the middle of a batch and another started: every reminder is
delivered exactly once."""

import datetime
import os

import pytest
import redis

from tests.reminders import procs
from tests.reminders.test_concurrency import assert_no_duplicate_emails

REDIS_URL = os.environ.get("REMINDER_TEST_REDIS_URL", "redis://127.0.0.1:6379/6")
D = datetime.timedelta
N = procs.ProcDB.SEEDED

pytestmark = pytest.mark.worker


@pytest.fixture
def broker():
    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()  # no stale messages from an earlier run
    yield client
    client.flushdb()


@pytest.fixture
def procdb(tmp_path, broker):
    db = procs.ProcDB("postgresql", tmp_path, f"ju_reminders_procs_worker_{os.getpid()}")
    db.seeded_on = db.prepare()
    yield db
    db.drop()


@pytest.fixture
def worker_env(procdb, tmp_path):
    return procs.broker_env(procdb.url, tmp_path, REDIS_URL, REMINDER_CLAIM_CHUNK="3")


@pytest.fixture
def workers():
    started: list[procs.Worker] = []
    yield started
    for w in started:
        w.stop()


def _scan(environ, day: datetime.date) -> str:
    ((code, out),) = procs.run_all_at_once(
        [[procs.PYTHON, "-m", "tests.reminders.scan_once", day.isoformat()]], environ
    )
    assert code == 0, out
    return out


def _count(procdb, where: str = "true") -> int:
    return procdb.count(f"select count(*) from accountability_reminder where {where}")  # noqa: S608


def test_scan_enqueues_on_redis_and_a_worker_delivers_the_notification(procdb, worker_env, workers, tmp_path):
    worker = procs.Worker(worker_env, "w1")
    workers.append(worker)
    worker.wait_ready()
    out = _scan(worker_env, procdb.seeded_on + D(days=7))
    assert f"reminders={N} messages=1" in out
    procs.wait_for(
        lambda: procdb.count("select count(*) from accountability_notification") == N, 60, worker.log.read_text()
    )
    procs.wait_for(lambda: len(procs.emails_in(tmp_path / "mail")) == N, 30, "e-mails missing")
    assert procdb.count("select count(*) from accountability_notification where kind = 'due_today'") == N
    assert _count(procdb, "email_status = 'sent'") == N


def test_worker_killed_mid_batch_then_another_delivers_every_reminder_exactly_once(
    procdb, worker_env, workers, tmp_path
):
    first = procs.Worker({**worker_env, "REMINDER_DELIVERY_DELAY_MS": "300"}, "w1")
    workers.append(first)
    first.wait_ready()
    assert f"reminders={N} messages=1" in _scan(worker_env, procdb.seeded_on + D(days=7))
    # Kill while the batch is half done: some notifications exist, no e-mail has gone yet.
    procs.wait_for(lambda: _count(procdb, "sent_at is not null") >= 3, 60, first.log.read_text())
    first.kill()
    delivered_before = _count(procdb, "sent_at is not null")
    emailed_before = _count(procdb, "email_status = 'sent'")
    assert delivered_before > 0 and emailed_before < N, (delivered_before, emailed_before)

    second = procs.Worker(worker_env, "w2")
    workers.append(second)
    second.wait_ready()
    procs.wait_for(
        lambda: (
            _count(procdb, "email_status in ('sent', 'sending')") == N
            and _count(procdb, "email_status = 'pending'") == 0
        ),
        90,
        second.log.read_text(),
    )
    assert procdb.count("select count(*) from accountability_notification") == N
    assert procdb.count("select count(distinct reminder_id) from accountability_notification") == N
    messages = procs.emails_in(tmp_path / "mail")
    assert_no_duplicate_emails(messages)
    # Exactly once: every e-mail went out, except at most the one whose claim the kill may have
    # interrupted between claim and hand-off: it stays 'sending', visible to admins, never resent.
    stuck = _count(procdb, "email_status = 'sending'")
    assert stuck <= 1
    assert len(messages) == N - stuck
