"""Against the real Redis broker (DB 6) and real `celery worker` processes.

The scan runs in its own process and enqueues on Redis; a worker started by
the test delivers into the PostgreSQL test database (transactional_db, so the
worker sees committed data). Then a worker is SIGKILLed in the middle of a
batch and another started: every reminder is delivered exactly once."""

import datetime
import email
import os

import pytest

from accountability.models import EmailStatus, Notification, Reminder
from cases import services as case_services
from tests.reminders import procs

REDIS_URL = os.environ.get("REMINDER_TEST_REDIS_URL", "redis://127.0.0.1:6379/6")

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def broker():
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.fail(f"the worker tests need Redis at {REDIS_URL}")
    client.flushdb()  # no stale messages from an earlier run
    yield client
    client.flushdb()


@pytest.fixture
def worker_env(tmp_path, broker):
    url = procs.database_url_of_test_db()
    if not url.startswith("postgres"):
        pytest.skip("a worker process cannot share pytest's SQLite test database; set DATABASE_URL to PostgreSQL")
    return procs.env(
        url,
        tmp_path,
        CELERY_BROKER_URL=REDIS_URL,
        CELERY_VISIBILITY_TIMEOUT="3",
        CELERY_UNACKED_RESTORE_INTERVAL="1",
        CELERY_UNACKED_RESTORE_THROTTLE="1",
    )


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


def test_scan_enqueues_on_redis_and_a_worker_delivers_the_notification(world, worker_env, workers, tmp_path):
    worker = procs.Worker(worker_env, "w1")
    workers.append(worker)
    worker.wait_ready()
    out = _scan(worker_env, world.milestone.due_date)
    assert "reminders=1 messages=1" in out
    procs.wait_for(lambda: Notification.objects.filter(recipient=world.nia.id).exists(), 60, worker.log.read_text())
    procs.wait_for(lambda: len(procs.emails_in(tmp_path / "mail")) == 1, 30, "no e-mail")
    n = Notification.objects.get(recipient=world.nia.id)
    assert (n.kind, n.subject_id) == ("due_today", world.milestone.id)
    assert Reminder.objects.get().email_status == EmailStatus.SENT


def test_worker_killed_mid_batch_then_another_delivers_every_reminder_exactly_once(
    world, worker_env, workers, tmp_path
):
    total = 30
    for i in range(total - 1):
        case_services.milestone_add(
            case=world.case,
            goal=world.goal,
            title=f"Step {i}",
            due_date=world.milestone.due_date,
            accountable=world.sam if i % 2 else world.nia,
            plain_summary="",
            actor=world.sam.user,
        )
    slow = {**worker_env, "REMINDER_DELIVERY_DELAY_MS": "150", "REMINDER_CLAIM_CHUNK": "3"}
    first = procs.Worker(slow, "w1")
    workers.append(first)
    first.wait_ready()
    assert "reminders=30 messages=1" in _scan(worker_env, world.milestone.due_date)
    # Kill while the batch is half done: some notifications exist, not all e-mails have gone.
    procs.wait_for(lambda: Notification.objects.count() >= 9, 60, first.log.read_text())
    first.kill()
    done_before = Notification.objects.count()
    emailed_before = Reminder.objects.filter(email_status=EmailStatus.SENT).count()
    assert done_before > 0 and emailed_before < total, (done_before, emailed_before)

    second = procs.Worker({**worker_env, "REMINDER_CLAIM_CHUNK": "3"}, "w2")
    workers.append(second)
    second.wait_ready()

    def all_emailed() -> bool:
        return (
            Reminder.objects.filter(email_status=EmailStatus.SENT).count()
            + Reminder.objects.filter(email_status=EmailStatus.SENDING).count()
            == total
            and Reminder.objects.filter(email_status=EmailStatus.PENDING).count() == 0
        )

    procs.wait_for(all_emailed, 90, second.log.read_text())
    assert Notification.objects.count() == total
    assert Notification.objects.values("reminder").distinct().count() == total
    messages = procs.emails_in(tmp_path / "mail")
    keys = []
    for m in messages:
        parsed = email.message_from_string(m.strip())
        body = parsed.get_payload(decode=True).decode()
        keys.append((parsed["To"], next(line for line in body.splitlines() if "/cases/" in line)))
    assert len(keys) == len(set(keys)), "an e-mail was sent twice"
    # Exactly once: every reminder's e-mail went out, except at most the one whose claim the kill
    # may have interrupted between claim and hand-off; that one stays 'sending', visible to admins.
    stuck = Reminder.objects.filter(email_status=EmailStatus.SENDING).count()
    assert stuck <= 1
    assert len(messages) == total - stuck
