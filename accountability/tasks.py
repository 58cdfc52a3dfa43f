"""Celery entry points of the accountability engine: thin, idempotent, retried.

acks_late + reject_on_worker_lost (also global in settings): a message whose
worker dies is delivered again; the claims in the services make that harmless.
A database fault in the middle of a task (a restart, a fail-over) retries the
task with back-off; the claims make the retry finish the work with no duplicate.
"""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from accountability.services import MailNotSent, reminders_deliver
from accountability.services import digests_send as _digests_send
from accountability.services import notices_deliver as _notices_deliver
from accountability.services import reminders_scan as _reminders_scan

DATABASE_FAULTS = (OperationalError, InterfaceError)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(MailNotSent, *DATABASE_FAULTS),
    retry_backoff=settings.REMINDER_MAIL_RETRY_BACKOFF,
    retry_backoff_max=3600,
    retry_jitter=False,
    max_retries=settings.REMINDER_MAIL_MAX_ATTEMPTS,
)
def deliver_batch(self, ids: list[int]) -> dict[str, int]:  # noqa: ARG001 - bound for retries
    """Deliver one batch of up to REMINDER_BATCH_SIZE reminders."""
    result = reminders_deliver(ids=ids)
    if result.email_retry:
        raise MailNotSent(f"{result.email_retry} e-mails will be retried")
    return {"delivered": result.delivered, "cancelled": result.cancelled, "emailed": result.emailed}


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(MailNotSent, *DATABASE_FAULTS),
    retry_backoff=settings.REMINDER_MAIL_RETRY_BACKOFF,
    retry_backoff_max=3600,
    retry_jitter=False,
    max_retries=settings.REMINDER_MAIL_MAX_ATTEMPTS,
)
def digests_send(self) -> dict[str, int]:  # noqa: ARG001
    """The daily digest e-mails (beat, at REMINDER_DIGEST_HOUR local time)."""
    result = _digests_send()
    if result.email_retry:
        raise MailNotSent(f"{result.email_retry} digests will be retried")
    return {"emailed": result.emailed, "failed": result.email_failed}


@shared_task(
    acks_late=True, reject_on_worker_lost=True, autoretry_for=DATABASE_FAULTS, retry_backoff=True, max_retries=5
)
def reminders_scan() -> dict[str, int | str]:
    """The periodic scan (beat, every REMINDER_SCAN_MINUTES), for today in TIME_ZONE.
    Idempotent: re-running creates nothing new."""
    result = _reminders_scan()
    return {
        "today": result.today.isoformat(),
        "due_items": result.due_items,
        "reminders": result.reminders,
        "messages": result.messages,
    }


@shared_task(
    acks_late=True, reject_on_worker_lost=True, autoretry_for=DATABASE_FAULTS, retry_backoff=True, max_retries=5
)
def notices_deliver() -> dict[str, int]:
    """The outbox (beat, every NOTICE_DELIVERY_SECONDS): notices written by requests' transactions,
    and a backlog of more than one batch fanned out to every worker process as delivery messages.
    E-mails that fail are retried by the scan's sweep with back-off, as for reminders."""
    result = _notices_deliver(fan_out=True)
    return {
        "delivered": result.delivered,
        "cancelled": result.cancelled,
        "emailed": result.emailed,
        "enqueued": result.enqueued,
    }
