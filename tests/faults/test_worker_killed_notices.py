"""The newer kind of due work, handover notices (kind `handover`, delivered by beat's
`notices_deliver` from the outbox), through a worker SIGKILLed in the middle of a batch and beat
restarted: real `celery worker` and `celery beat` processes on the real Redis broker
(REMINDER_TEST_REDIS_URL), against a PostgreSQL database the test's processes seeded. Every notice
is delivered exactly once: one notification each, no e-mail twice."""

import time

import pytest

from tests.faults import servers
from tests.reminders import procs
from tests.reminders.test_concurrency import assert_no_duplicate_emails
from tests.reminders.test_worker import REDIS_URL, broker  # noqa: F401 - the flushed broker fixture

N = procs.ProcDB.SEEDED  # milestones in the seeded world: each handed over once, one notice each

pytestmark = pytest.mark.worker


def _count(procdb, where: str) -> int:
    return procdb.count(f"select count(*) from accountability_reminder where kind = 'handover' and {where}")  # noqa: S608


def test_worker_killed_mid_batch_and_beat_restarted_deliver_every_handover_notice_exactly_once(
    procdb,
    broker,  # noqa: F811
    tmp_path,
    started,
):
    environ = procs.broker_env(
        procdb.url,
        tmp_path,
        REDIS_URL,
        NOTICE_DELIVERY_SECONDS="1",
        REMINDER_BATCH_SIZE="4",  # a backlog of three batches: one delivered by the tick, two fanned out
        REMINDER_CLAIM_CHUNK="2",
    )
    ((code, out),) = procs.run_all_at_once([[procs.PYTHON, "-m", "tests.faults.handover_all"]], environ)
    assert code == 0 and out.strip().splitlines()[-1] == str(N), out
    assert _count(procdb, "sent_at is null") == N  # in the outbox, nothing delivered yet

    first = procs.Worker({**environ, "REMINDER_DELIVERY_DELAY_MS": "300"}, "w1")
    beat = servers.Beat(environ)
    started.extend([first, beat])
    first.wait_ready()
    # Kill while a batch is half done: some notices delivered in-app, not every e-mail gone.
    procs.wait_for(lambda: _count(procdb, "sent_at is not null") >= 2, 60, first.log.read_text())
    first.kill()
    delivered_before = _count(procdb, "sent_at is not null")
    emailed_before = _count(procdb, "email_status = 'sent'")
    assert delivered_before > 0 and emailed_before < N, (delivered_before, emailed_before)

    beat.stop()  # beat restarted: the same schedule file, a new process
    time.sleep(1)
    beat = servers.Beat(environ)
    second = procs.Worker(environ, "w2")
    started.extend([beat, second])
    second.wait_ready()
    procs.wait_for(
        lambda: (
            _count(procdb, "sent_at is not null") == N
            and _count(procdb, "email_status = 'pending'") == 0
            and _count(procdb, "email_status in ('sent', 'sending')") == N
        ),
        90,
        second.log.read_text() + beat.log.read_text(),
    )
    time.sleep(3)  # more ticks of the restarted beat, more redelivered messages: still once
    assert "Sending due task notices-deliver" in beat.log.read_text()
    assert procdb.count("select count(*) from accountability_notification where kind = 'handover'") == N
    assert procdb.count("select count(distinct reminder_id) from accountability_notification") == N
    messages = [m for m in procs.emails_in(tmp_path / "mail") if "handed over to you" in m]
    assert_no_duplicate_emails(messages)
    # Exactly once: every e-mail went out, except at most the one whose claim the kill may have cut
    # off between claim and hand-off: it stays 'sending' (Admin -> Reminders), never resent.
    stuck = _count(procdb, "email_status = 'sending'")
    assert stuck <= 1
    assert len(messages) == N - stuck
