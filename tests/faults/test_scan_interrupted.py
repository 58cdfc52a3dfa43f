"""The database drops the scan's connection halfway through delivery: running it again (the
command, or the worker's retry) completes the work with no duplicate and no gap."""

import datetime
import subprocess

import pytest

from tests.faults import servers
from tests.reminders import procs
from tests.reminders.test_concurrency import assert_no_duplicate_emails

pytestmark = pytest.mark.worker
N = procs.ProcDB.SEEDED
D = datetime.timedelta


def _count(procdb, where: str) -> int:
    return procdb.count(f"SELECT count(*) FROM accountability_reminder WHERE {where}")  # noqa: S608


def _assert_done_once(procdb, mail_dir) -> None:
    assert _count(procdb, "true") == N  # no gap in the rows, no duplicate (the unique key)
    assert _count(procdb, "sent_at IS NULL") == 0
    assert procdb.count("SELECT count(*) FROM accountability_notification") == N
    assert procdb.count("SELECT count(DISTINCT reminder_id) FROM accountability_notification") == N
    messages = procs.emails_in(mail_dir)
    assert_no_duplicate_emails(messages)
    # The one e-mail whose claim the drop may have cut off stays 'sending' for admins, never resent.
    stuck = _count(procdb, "email_status = 'sending'")
    assert stuck <= 1
    assert len(messages) == N - stuck
    assert _count(procdb, "email_status = 'pending'") == 0


def test_a_scan_whose_connection_drops_halfway_is_completed_by_running_it_again(procdb, tmp_path):
    environ = procs.env(procdb.url, tmp_path, REMINDER_CLAIM_CHUNK="3", REMINDER_DELIVERY_DELAY_MS="300")
    day = (procdb.seeded_on + D(days=7)).isoformat()
    scan = subprocess.Popen(
        procs.send_reminders(day), cwd=procs.ROOT, env=environ, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    procs.wait_for(lambda: _count(procdb, "sent_at IS NOT NULL") >= 3, 60, "delivery never started")
    assert servers.terminate_backends(procdb.url) >= 1
    out, _ = scan.communicate(timeout=60)
    assert scan.returncode != 0, out  # the scan was cut off ...
    assert 0 < _count(procdb, "sent_at IS NOT NULL") < N  # ... halfway

    ((code, out),) = procs.run_all_at_once([procs.send_reminders(day)], procs.env(procdb.url, tmp_path))
    assert code == 0, out
    _assert_done_once(procdb, tmp_path / "mail")


def test_a_worker_whose_connection_drops_mid_batch_retries_and_completes_the_batch(procdb, tmp_path, started):
    redis = servers.RedisServer(tmp_path)
    redis.start()
    started.append(redis)
    environ = procs.env(
        procdb.url,
        tmp_path,
        CELERY_BROKER_URL=redis.url(0),
        REMINDER_CLAIM_CHUNK="3",
        REMINDER_DELIVERY_DELAY_MS="300",
        REMINDER_MAIL_RETRY_BACKOFF="1",
    )
    worker = procs.Worker(environ, "w1")
    started.append(worker)
    worker.wait_ready()
    ((code, out),) = procs.run_all_at_once(
        [[procs.PYTHON, "-m", "tests.reminders.scan_once", (procdb.seeded_on + D(days=7)).isoformat()]], environ
    )
    assert code == 0 and "messages=1" in out, out
    procs.wait_for(lambda: _count(procdb, "sent_at IS NOT NULL") >= 3, 60, worker.log.read_text())
    assert servers.terminate_backends(procdb.url) >= 1
    assert _count(procdb, "email_status = 'sent'") < N  # cut off in the middle of the batch
    procs.wait_for(
        lambda: _count(procdb, "email_status IN ('pending') OR sent_at IS NULL") == 0, 90, worker.log.read_text()
    )
    _assert_done_once(procdb, tmp_path / "mail")
