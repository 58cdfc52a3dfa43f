"""Writes of the accountability engine: reminder rows, their delivery, notifications and settings.

Floor 3. May use: agencies, audit."""

from __future__ import annotations

import logging
import secrets
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError

from accountability import registry
from accountability.models import (
    SCAN_REMINDER_KINDS,
    Digest,
    EmailStatus,
    Notification,
    Reminder,
    ReminderDelivery,
    ReminderKind,
    ReminderSettings,
)
from accountability.registry import DueItem
from agencies.models import Professional
from audit.services import audit_record

logger = logging.getLogger(__name__)


# --- Reminders -----------------------------------------------------------------
#
# Invariant 6 (exactly once): rows are created (unique key) before anything is
# sent; in-app delivery claims each row atomically and creates its Notification
# in the same transaction; each e-mail has its own claim (pending -> sending),
# so no path sends twice. An e-mail whose sender died between its claim and the
# SMTP hand-off stays "sending" and shows in the admin, never silently resent.
#
# Invariant 7 (no case content in e-mail): e-mails are built only from the
# reminder's kind, subject type, due date, case reference and link.


class MailNotSent(Exception):
    """Some e-mails failed and will be retried (raised so Celery retries with backoff)."""


@dataclass
class DeliveryResult:
    delivered: int = 0  # in-app notifications created
    cancelled: int = 0  # rows no longer due (done, handed over, closed) at claim time
    emailed: int = 0
    email_retry: int = 0  # failed, will be retried
    email_failed: int = 0  # failed after the last attempt: visible to admins
    inapp_seconds: float = 0.0
    email_seconds: float = 0.0
    enqueued: int = 0  # delivery messages sent for a backlog (notices_deliver with fan_out)


# Days until due -> the reminder the accountable professional gets that day.
KIND_BY_OFFSET = {
    7: ReminderKind.UPCOMING,
    1: ReminderKind.DUE_TOMORROW,
    0: ReminderKind.DUE_TODAY,
    -1: ReminderKind.OVERDUE,
}


def reminder_kinds_for(*, due_date: date, today: date) -> list[str]:
    """Which reminders an item due on `due_date` earns on `today`.

    upcoming = exactly 7 days before, due_tomorrow, due_today, overdue = the day
    after; escalation from 3 days overdue, within a catch-up window so a scan
    that did not run on the third day still escalates (once: the unique key)."""
    offset = (due_date - today).days
    if offset in KIND_BY_OFFSET:
        return [str(KIND_BY_OFFSET[offset])]
    late = -offset
    if (
        settings.REMINDER_ESCALATION_DAYS
        <= late
        <= settings.REMINDER_ESCALATION_DAYS + settings.REMINDER_ESCALATION_CATCHUP_DAYS
    ):
        return [str(ReminderKind.ESCALATION)]
    return []


def reminder_due_windows(*, today: date) -> tuple[list[date], tuple[date, date]]:
    """The due dates a scan on `today` must look at: exact dates, and the escalation range (inclusive)."""
    exact = [today + timedelta(days=offset) for offset in KIND_BY_OFFSET]
    start = today - timedelta(days=settings.REMINDER_ESCALATION_DAYS + settings.REMINDER_ESCALATION_CATCHUP_DAYS)
    end = today - timedelta(days=settings.REMINDER_ESCALATION_DAYS)
    return exact, (start, end)


_REMINDER_KEY_COLUMNS = (
    "subject_type",
    "subject_id",
    "kind",
    "recipient",
    "accountable",
    "due_date",
    "case",
    "case_reference",
    "link",
)


def _reminder_columns() -> list[str]:
    """Quoted column names of the reminder key fields, from the model (never typed by hand)."""
    fields = {f.name: f for f in Reminder._meta.concrete_fields}
    return [connection.ops.quote_name(str(fields[name].column)) for name in _REMINDER_KEY_COLUMNS]


def _recipients(item: DueItem, kind: str) -> list[uuid.UUID]:
    """Who a reminder of this kind goes to: the accountable person; an escalation goes to their
    team lead and to the case's lead professional (each once, never to the accountable person)."""
    if kind != ReminderKind.ESCALATION:
        return [item.accountable]
    leads = [item.team_lead, item.case_lead]
    return [p for i, p in enumerate(leads) if p is not None and p != item.accountable and p not in leads[:i]]


@transaction.atomic
def reminders_create_for_due(*, items: Iterable[DueItem], today: date) -> int:
    """Create the reminder rows the due items earn today, before anything is sent.

    Idempotent: re-running inserts nothing (ON CONFLICT DO NOTHING on the unique
    key). Rows are inserted in key order so overlapping scans never deadlock.
    Returns how many rows the items earn (created now or earlier)."""
    rows: list[tuple[Any, ...]] = []
    for item in items:
        for kind in reminder_kinds_for(due_date=item.due_date, today=today):
            for recipient in _recipients(item, kind):
                rows.append(
                    (
                        item.subject_type,
                        item.subject_id,
                        kind,
                        recipient,
                        item.accountable,
                        item.due_date,
                        item.case,
                        item.case_reference,
                        item.link,
                    )
                )
    rows.sort(key=lambda r: (r[0], r[1], r[2], r[3], r[5]))  # key order: overlapping scans never deadlock
    Reminder.objects.bulk_create(
        [Reminder(**dict(zip(_REMINDER_KEY_COLUMNS, r, strict=True))) for r in rows],
        batch_size=500,
        ignore_conflicts=True,
    )
    if rows:
        audit_record(
            action="accountability.reminders.scanned", detail={"date": today.isoformat(), "reminders": len(rows)}
        )
    return len(rows)


DUE_SOURCE_COLUMNS = (
    "subject_type",
    "subject_id",
    "due_date",
    "accountable",
    "team_lead",
    "case_id",
    "case_reference",
    "link",
    "case_lead",
)


@transaction.atomic
def reminders_create_for_due_sql(*, source: tuple[str, Any], today: date) -> tuple[int, int]:
    """PostgreSQL: the same rows as reminders_create_for_due, in one INSERT ... SELECT.

    `source` is (sql, params) of a SELECT whose columns are DUE_SOURCE_COLUMNS in
    that order (the caller's due items: a query over its own tables, which this
    layer never names). The kind rule is reminder_kinds_for's, written in SQL
    from the same constants. Rows go in key order so overlapping scans never
    deadlock. Returns (due items, reminder rows created now)."""
    source_sql, source_params = source
    esc_from = settings.REMINDER_ESCALATION_DAYS
    esc_to = settings.REMINDER_ESCALATION_DAYS + settings.REMINDER_ESCALATION_CATCHUP_DAYS
    whens = " ".join(f"WHEN {int(offset)} THEN '{kind.value}'" for offset, kind in KIND_BY_OFFSET.items())
    table = connection.ops.quote_name(Reminder._meta.db_table)
    columns = ", ".join(_reminder_columns())
    sql = f"""
        WITH d AS MATERIALIZED (SELECT * FROM ({source_sql}) AS s({", ".join(DUE_SOURCE_COLUMNS)})),
        k AS (
            SELECT d.*, CASE WHEN d.due_date - %s::date BETWEEN -{esc_to} AND -{esc_from} THEN 'escalation'
                             ELSE CASE d.due_date - %s::date {whens} END END AS kind
            FROM d
        ),
        r AS (
            SELECT k.*, k.accountable AS recipient FROM k WHERE k.kind IS NOT NULL AND k.kind <> 'escalation'
            UNION ALL
            SELECT k.*, k.team_lead FROM k
            WHERE k.kind = 'escalation' AND k.team_lead IS NOT NULL AND k.team_lead <> k.accountable
            UNION ALL
            SELECT k.*, k.case_lead FROM k
            WHERE k.kind = 'escalation' AND k.case_lead IS NOT NULL AND k.case_lead <> k.accountable
              AND k.case_lead IS DISTINCT FROM k.team_lead
        ),
        ins AS (
            INSERT INTO {table} ({columns}, created_at, email_status, attempts, last_error)
            SELECT r.subject_type, r.subject_id, r.kind, r.recipient, r.accountable, r.due_date, r.case_id,
                   r.case_reference, r.link, %s, %s, 0, ''
            FROM r ORDER BY r.subject_type, r.subject_id, r.kind, r.recipient, r.due_date
            ON CONFLICT DO NOTHING
            RETURNING 1
        )
        SELECT (SELECT count(*) FROM d), (SELECT count(*) FROM ins)
    """  # noqa: S608 - identifiers from model metadata and constants; values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, [*source_params, today, today, timezone.now(), EmailStatus.PENDING.value])
        due, created = cursor.fetchone()
    if created:  # a re-run every 15 minutes that creates nothing is not an event
        audit_record(
            action="accountability.reminders.scanned", detail={"date": today.isoformat(), "reminders": created}
        )
    return due, created


def notice_queue(
    *,
    kind: str,
    subject_type: str,
    subject_id: uuid.UUID,
    recipient: uuid.UUID,
    due_date: date,
    case: uuid.UUID,
    case_reference: str,
    link: str | None = None,
) -> None:
    """Queue a notice (e.g. "handed over to you") inside the caller's transaction: the outbox.

    Nothing here reaches the broker, so the request that hands over never depends on it. The row
    commits or rolls back with the caller's change and is delivered like any reminder: by the
    worker's notices_deliver (every NOTICE_DELIVERY_SECONDS) or the next scan's sweep, once the
    broker answers, exactly once (the same claim). Checked again at claim time: a notice whose item
    was handed on, re-dated or done before delivery is cancelled, not delivered (docs/decisions/0018).

    A notice is told once a day (`told_on`, today here): two changes of one kind to one item on one
    day tell once, a change on a later day tells again (decision 0047). A scan reminder queued here
    (a handover's catch-up) keeps the scan's key, so the scan never repeats it."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("notice_queue belongs inside the transaction of the change it tells about")
    if registry.notice_kind(kind) is None:
        raise ValueError(f"no app registers the notice kind {kind!r} (registry.register_notice_kind)")
    if link is None:
        source = registry.due_source(subject_type)
        link = source.link.format(case=case, id=subject_id) if source else ""
    Reminder.objects.bulk_create(
        [
            Reminder(
                subject_type=subject_type,
                subject_id=subject_id,
                kind=kind,
                recipient=recipient,
                accountable=recipient,
                due_date=due_date,
                told_on=None if kind in SCAN_REMINDER_KINDS else timezone.localdate(),
                case=case,
                case_reference=case_reference,
                link=link,
            )
        ],
        ignore_conflicts=True,
    )


def reminder_kind_catching_up(*, due_date: date, today: date) -> str | None:
    """The reminder someone who takes an item over today has missed: `upcoming` for an item due
    in 2 to 6 days (the 7-day reminder went to the previous holder), `overdue` for one 2 days
    late (before escalation); None when today's scan reminds them anyway (7, 1, 0 and -1 days)
    or nothing is due yet. Escalations catch up by themselves (the scan's catch-up window)."""
    offset = (due_date - today).days
    if offset in KIND_BY_OFFSET:
        return None
    if 1 < offset < max(KIND_BY_OFFSET):
        return ReminderKind.UPCOMING
    if -settings.REMINDER_ESCALATION_DAYS < offset < -1:
        return ReminderKind.OVERDUE
    return None


def notices_for_new_holder(
    *,
    subject_type: str,
    subject_id: uuid.UUID,
    recipient: uuid.UUID,
    due_date: date,
    case: uuid.UUID,
    case_reference: str,
) -> None:
    """An item handed over: tell the new holder now (the handover notice), and queue the
    reminder of the window they took it over in, so it reaches them at the next delivery
    rather than only at the next fixed offset (issue 11, found 3). Both through the outbox."""
    common: dict[str, Any] = {
        "subject_type": subject_type,
        "subject_id": subject_id,
        "recipient": recipient,
        "due_date": due_date,
        "case": case,
        "case_reference": case_reference,
    }
    notice_queue(kind=ReminderKind.HANDOVER, **common)
    missed = reminder_kind_catching_up(due_date=due_date, today=timezone.localdate())
    if missed is not None:
        notice_queue(kind=missed, **common)


def notices_deliver(*, limit: int | None = None, fan_out: bool = False) -> DeliveryResult:
    """Deliver what waits in the outbox, oldest first, up to `limit` rows (REMINDER_BATCH_SIZE):
    notices, reminders whose delivery message was lost, and e-mails whose turn has come (a retry
    after back-off, or one whose worker died between the in-app claim and the e-mail: the
    redelivered message of this task would not name it again). The same sweep as every scan's
    (reminder_ids_to_deliver). Runs in the worker; safe to run twice.

    With `fan_out` (the beat task), a backlog larger than one batch (after the broker was away, the
    delivery messages of a scan that ran meanwhile were never sent) goes out as delivery messages
    for every worker process to share, instead of one batch per tick; `result.enqueued` says how
    many. A message sent twice (the next tick, before the first is done) finds the rows claimed."""
    limit = limit or settings.REMINDER_BATCH_SIZE
    ids = reminder_ids_to_deliver()  # by id: oldest first
    enqueued = reminders_enqueue_delivery(ids[limit:]) if fan_out and len(ids) > limit else 0
    result = reminders_deliver(ids=ids[:limit])
    result.enqueued = enqueued
    return result


def reminder_ids_to_deliver(*, now: datetime | None = None) -> list[int]:
    """Rows not yet delivered in-app, and e-mails waiting for their next attempt.

    Every scan sweeps these, so a row whose delivery message was lost (a process
    died between commit and enqueue) or whose e-mail failed is picked up again."""
    now = now or timezone.now()
    undelivered = Reminder.objects.filter(sent_at=None, cancelled_at=None).values_list("pk", flat=True)
    retry = Reminder.objects.filter(
        Q(next_attempt_at=None) | Q(next_attempt_at__lte=now), email_status=EmailStatus.PENDING, sent_at__isnull=False
    ).values_list("pk", flat=True)
    return sorted(set(undelivered) | set(retry))


def reminder_batches(ids: list[int]) -> list[list[int]]:
    size = settings.REMINDER_BATCH_SIZE
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def reminders_enqueue_delivery(ids: list[int]) -> int:
    """Send one Celery message per batch of up to REMINDER_BATCH_SIZE ids, after commit."""
    batches = reminder_batches(ids)
    for batch in batches:
        transaction.on_commit(partial(_enqueue_batch, batch))
    return len(batches)


def _enqueue_batch(batch: list[int]) -> None:
    """One delivery message. The rows are committed before it is sent, so a broker that does not
    answer loses nothing: they wait in the outbox for notices_deliver or the next scan (decision
    0018). The scan that wrote them still succeeds; the log says what was not sent."""
    from accountability.tasks import deliver_batch  # tasks import services; import here to avoid a cycle

    try:
        deliver_batch.delay(batch)
    except KombuOperationalError as exc:
        logger.warning(
            "delivery of %s reminders not enqueued (broker unavailable: %s); the outbox delivers them",
            len(batch),
            type(exc).__name__,
        )


def _delivery_delay() -> None:
    # Test-only pacing so a test can kill a worker in the middle of a batch.
    if settings.REMINDER_DELIVERY_DELAY_MS:
        time.sleep(settings.REMINDER_DELIVERY_DELAY_MS / 1000)


def _still_due(rows: list[Reminder]) -> set[int]:
    """The pks of rows whose subject is still owed, with the same accountable person and due date."""
    by_type: dict[str, list[Reminder]] = {}
    for r in rows:
        by_type.setdefault(r.subject_type, []).append(r)
    keep: set[int] = {r.pk for r in rows if registry.notice_ends(r.kind)}
    for subject_type, group in by_type.items():
        group = [r for r in group if not registry.notice_ends(r.kind)]
        current = registry.still_due(subject_type, [(r.subject_id, r.accountable, r.due_date) for r in group])
        keep.update(r.pk for r in group if (r.subject_id, r.accountable, r.due_date) in current)
    return keep


_EMAIL_STATUS_FOR: dict[str, str] = {
    ReminderDelivery.EACH: EmailStatus.PENDING,
    ReminderDelivery.DIGEST: EmailStatus.DIGEST,
    ReminderDelivery.NONE: EmailStatus.SKIPPED,
}


@transaction.atomic
def _claim_and_notify(chunk: list[int]) -> tuple[int, int]:
    qs = Reminder.objects.filter(pk__in=chunk, sent_at=None, cancelled_at=None).order_by("pk")
    if connection.features.has_select_for_update_skip_locked:
        # Another worker holding some of these rows skips them instead of waiting.
        qs = qs.select_for_update(skip_locked=True)
    rows = list(qs)
    if not rows:
        return 0, 0
    now = timezone.now()
    keep = _still_due(rows)
    stale = [r.pk for r in rows if r.pk not in keep]
    if stale:
        Reminder.objects.filter(pk__in=stale, sent_at=None).update(
            cancelled_at=now, claimed_at=now, email_status=EmailStatus.SKIPPED
        )
    live = [r for r in rows if r.pk in keep]
    preferences = dict(
        ReminderSettings.objects.filter(professional_id__in={r.recipient for r in live}).values_list(
            "professional_id", "delivery"
        )
    )
    claimed: list[Reminder] = []
    by_status: dict[str, list[Reminder]] = {}
    for r in live:
        status = _EMAIL_STATUS_FOR.get(preferences.get(r.recipient, ReminderDelivery.EACH), EmailStatus.SKIPPED)
        if registry.notice_in_app_only(r.kind):  # the owning app sends its own e-mail
            status = EmailStatus.SKIPPED
        by_status.setdefault(status, []).append(r)
    for status, group in by_status.items():
        # The claim: only rows still unsent are taken. Under the row locks above
        # (PostgreSQL) or the IMMEDIATE write transaction (SQLite) this is all of them.
        pks = [r.pk for r in group]
        taken = set(Reminder.objects.filter(pk__in=pks, sent_at=None).values_list("pk", flat=True))
        Reminder.objects.filter(pk__in=taken, sent_at=None).update(sent_at=now, claimed_at=now, email_status=status)
        claimed.extend(r for r in group if r.pk in taken)
    Notification.objects.bulk_create(
        [
            Notification(
                recipient=r.recipient,
                reminder=r,
                kind=r.kind,
                subject_type=r.subject_type,
                subject_id=r.subject_id,
                due_date=r.due_date,
                case=r.case,
                case_reference=r.case_reference,
                accountable=r.accountable,
                link=r.link,
            )
            for r in claimed
        ]
    )
    audit_record(
        action="accountability.reminders.delivered",
        detail={"notifications": len(claimed), "cancelled": len(stale)},
    )
    return len(claimed), len(stale)


def _absolute(link: str) -> str:
    return f"{settings.SITE_URL}{link}"


def _item_label(subject_type: str, count: int = 1) -> str:
    return registry.label_of(subject_type, count)


def reminder_email_content(reminder: Reminder) -> tuple[str, str]:
    """Subject and body of a single reminder e-mail: kind, case reference and link only (invariant 7).
    Worded by the kind's own app where it registered an `email`, else "A <item> on case <ref> ..."."""
    item = _item_label(reminder.subject_type)
    phrase = registry.notice_phrase(reminder.kind)
    ref = reminder.case_reference or "a case"
    kind = registry.notice_kind(reminder.kind)
    own = kind.email(ref, reminder.due_date, item) if kind is not None and kind.email is not None else None
    if own is not None:
        subject, line = own
    else:
        subject = f"JoinedUp: a {item} on {ref} {phrase.split(' and ')[0]}"
        line = f"A {item} on case {ref} {phrase} (due {reminder.due_date:%d %B %Y})."
    body = (
        f"{line}\n\n"
        f"Open it in JoinedUp: {_absolute(reminder.link)}\n\n"
        "For privacy this e-mail names no one and quotes nothing from the case; sign in to see the details.\n"
        f"Choose how you are reminded: {_absolute('/notifications/settings/')}\n"
    )
    return subject, body


def digest_email_content(reminders: list[Reminder], *, day: date) -> tuple[str, str]:
    """One daily digest: how many of each kind, then each case reference with its links."""
    counts: dict[tuple[str, str], int] = {}
    for r in reminders:
        counts[(r.kind, r.subject_type)] = counts.get((r.kind, r.subject_type), 0) + 1
    registered = [k.code for k in registry.notice_kinds()]

    def order(kind: str) -> int:  # accountability's own kinds first, then as registered; unknown last
        return registered.index(kind) if kind in registered else len(registered)

    lines = []
    for (kind, subject_type), n in sorted(counts.items(), key=lambda kv: (order(kv[0][0]), kv[0][1])):
        phrase = registry.notice_phrase(kind)
        verb = phrase if n == 1 else phrase.replace("is ", "are ", 1).replace("has been", "have been")
        lines.append(f"- {n} {_item_label(subject_type, n)} {verb}")
    items = [
        f"- {r.case_reference or 'a case'}: {_item_label(r.subject_type)} {registry.notice_label(r.kind).lower()}"
        f" (due {r.due_date:%d %b}) {_absolute(r.link)}"
        for r in sorted(reminders, key=lambda r: (r.case_reference, order(r.kind), r.due_date, r.pk))
    ]
    total = len(reminders)
    subject = f"JoinedUp: your daily digest, {total} item{'s' if total != 1 else ''} need attention"
    body = (
        f"Your JoinedUp digest for {day:%d %B %Y}.\n\n"
        + "\n".join(lines)
        + "\n\n"
        + "\n".join(items)
        + "\n\nFor privacy this e-mail names no one and quotes nothing from any case; sign in to see the details.\n"
        + f"Choose how you are reminded: {_absolute('/notifications/settings/')}\n"
    )
    return subject, body


def _send(*, to: str, subject: str, body: str) -> None:
    EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[to]).send()


def _emails_for(recipients: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
    return dict(Professional.objects.filter(id__in=set(recipients), is_active=True).values_list("id", "user__email"))


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=settings.REMINDER_MAIL_RETRY_BACKOFF * 2 ** max(attempts - 1, 0))


def _failure_fields(attempts: int, exc: Exception, now: datetime) -> dict[str, Any]:
    error = f"{type(exc).__name__}: {exc}"[:300]
    if attempts >= settings.REMINDER_MAIL_MAX_ATTEMPTS:
        return {"email_status": EmailStatus.FAILED, "last_error": error, "next_attempt_at": None}
    return {"email_status": EmailStatus.PENDING, "last_error": error, "next_attempt_at": now + _backoff(attempts)}


def _send_reminder_emails(ids: list[int], result: DeliveryResult) -> None:
    rows = list(
        Reminder.objects.filter(pk__in=ids, email_status=EmailStatus.PENDING, sent_at__isnull=False).order_by("pk")
    )
    addresses = _emails_for(r.recipient for r in rows)
    for r in rows:
        _delivery_delay()
        # The e-mail claim: whoever moves pending -> sending sends it; nobody else can.
        if not Reminder.objects.filter(pk=r.pk, email_status=EmailStatus.PENDING).update(
            email_status=EmailStatus.SENDING, attempts=F("attempts") + 1
        ):
            continue
        address = addresses.get(r.recipient)
        if not address:
            Reminder.objects.filter(pk=r.pk).update(email_status=EmailStatus.SKIPPED, last_error="No e-mail address")
            continue
        attempts = r.attempts + 1
        try:
            subject, body = reminder_email_content(r)
            _send(to=address, subject=subject, body=body)
        except Exception as exc:  # any transport error: record, retry with backoff, then fail visibly
            fields = _failure_fields(attempts, exc, timezone.now())
            Reminder.objects.filter(pk=r.pk).update(**fields)
            logger.warning("reminder e-mail %s failed (attempt %s): %s", r.pk, attempts, type(exc).__name__)
            if fields["email_status"] == EmailStatus.FAILED:
                result.email_failed += 1
            else:
                result.email_retry += 1
            continue
        Reminder.objects.filter(pk=r.pk).update(email_status=EmailStatus.SENT, email_sent_at=timezone.now())
        result.emailed += 1


def reminders_deliver(*, ids: Iterable[int]) -> DeliveryResult:
    """Deliver these reminders: claim each unsent row and create its in-app
    notification (one transaction per chunk), then send the e-mails the
    recipients chose. Safe to call any number of times with the same ids."""
    ids = sorted(set(ids))
    result = DeliveryResult()
    chunk_size = settings.REMINDER_CLAIM_CHUNK
    started = time.perf_counter()
    for i in range(0, len(ids), chunk_size):
        _delivery_delay()
        delivered, cancelled = _claim_and_notify(ids[i : i + chunk_size])
        result.delivered += delivered
        result.cancelled += cancelled
    result.inapp_seconds = time.perf_counter() - started
    _send_reminder_emails(ids, result)
    result.email_seconds = time.perf_counter() - started - result.inapp_seconds
    return result


def digests_send(*, today: date | None = None) -> DeliveryResult:
    """Send each professional who chose a digest one e-mail for the day,
    gathering every reminder waiting for a digest. Exactly once per day: the
    Digest row (unique per recipient and day) is created, then claimed."""
    today = today or timezone.localdate()
    now = timezone.now()
    result = DeliveryResult()
    waiting = sorted(
        set(Reminder.objects.filter(email_status=EmailStatus.DIGEST, digest=None).values_list("recipient", flat=True)),
        key=str,
    )
    Digest.objects.bulk_create([Digest(recipient=r, digest_date=today) for r in waiting], ignore_conflicts=True)
    due = Digest.objects.filter(email_status=EmailStatus.PENDING).filter(
        Q(next_attempt_at=None) | Q(next_attempt_at__lte=now)
    )
    addresses = _emails_for(d.recipient for d in due)
    for digest in due.order_by("pk"):
        with transaction.atomic():
            if not Digest.objects.filter(pk=digest.pk, email_status=EmailStatus.PENDING).update(
                email_status=EmailStatus.SENDING, attempts=F("attempts") + 1
            ):
                continue
            if digest.digest_date == today:
                Reminder.objects.filter(
                    recipient=digest.recipient, email_status=EmailStatus.DIGEST, digest=None
                ).update(digest=digest, email_status=EmailStatus.IN_DIGEST)
        reminders = list(Reminder.objects.filter(digest=digest))
        address = addresses.get(digest.recipient)
        if not reminders or not address:
            Digest.objects.filter(pk=digest.pk).update(email_status=EmailStatus.SKIPPED)
            continue
        attempts = digest.attempts + 1
        try:
            subject, body = digest_email_content(reminders, day=digest.digest_date)
            _send(to=address, subject=subject, body=body)
        except Exception as exc:  # recorded and retried like single e-mails
            fields = _failure_fields(attempts, exc, timezone.now())
            Digest.objects.filter(pk=digest.pk).update(**fields)
            logger.warning("digest %s failed (attempt %s): %s", digest.pk, attempts, type(exc).__name__)
            if fields["email_status"] == EmailStatus.FAILED:
                result.email_failed += 1
            else:
                result.email_retry += 1
            continue
        Digest.objects.filter(pk=digest.pk).update(email_status=EmailStatus.SENT, sent_at=timezone.now())
        result.emailed += 1
    return result


# --- In-app notifications, preferences, calendar token -------------------------


@transaction.atomic
def notification_mark_read(*, professional: Professional, notification_id: Any, actor: Any) -> int:
    """Mark one of my notifications read. Someone else's is not found (returns 0)."""
    try:
        nid = uuid.UUID(str(notification_id))
    except ValueError:
        return 0
    n = Notification.objects.filter(pk=nid, recipient=professional.id, read_at=None).update(read_at=timezone.now())
    if n:
        audit_record(
            action="accountability.notification.read", actor=actor, subject_type="notification", subject_id=nid
        )
    return n


@transaction.atomic
def notifications_mark_all_read(*, professional: Professional, actor: Any) -> int:
    n = Notification.objects.filter(recipient=professional.id, read_at=None).update(read_at=timezone.now())
    if n:
        audit_record(action="accountability.notification.all_read", actor=actor, detail={"count": n})
    return n


def _new_calendar_token() -> str:
    return secrets.token_urlsafe(32)


@transaction.atomic
def reminder_settings_for(*, professional: Professional) -> ReminderSettings:
    """The professional's reminder settings, created with the defaults on first use."""
    settings_row, _ = ReminderSettings.objects.get_or_create(
        professional=professional, defaults={"calendar_token": _new_calendar_token()}
    )
    return settings_row


@transaction.atomic
def reminder_delivery_set(*, professional: Professional, delivery: str, actor: Any) -> ReminderSettings:
    """Choose e-mail per reminder, a daily digest, or no e-mail (in-app only)."""
    if delivery not in ReminderDelivery.values:
        raise ValidationError({"reminder_delivery": "Choose each, digest or none."})
    settings_row = reminder_settings_for(professional=professional)
    settings_row.delivery = delivery
    settings_row.save(update_fields=["delivery", "updated_at"])
    audit_record(
        action="accountability.reminder_delivery.changed",
        actor=actor,
        subject_type="professional",
        subject_id=professional.id,
        detail={"reminder_delivery": delivery},
    )
    return settings_row


@transaction.atomic
def calendar_token_reset(*, professional: Professional, actor: Any) -> str:
    """A new secret calendar URL; the old one stops working at once."""
    settings_row = reminder_settings_for(professional=professional)
    settings_row.calendar_token = _new_calendar_token()
    settings_row.save(update_fields=["calendar_token", "updated_at"])
    audit_record(
        action="accountability.calendar_token.reset",
        actor=actor,
        subject_type="professional",
        subject_id=professional.id,
    )
    return settings_row.calendar_token


# --- The scan -----------------------------------------------------------------


@dataclass
class ScanResult:
    today: date
    due_items: int = 0
    reminders: int = 0  # reminder rows created by this scan (a re-run creates none)
    to_deliver: list[int] = field(default_factory=list)
    messages: int = 0  # Celery messages enqueued


@transaction.atomic
def reminders_scan(*, today: date | None = None, enqueue: bool = True) -> ScanResult:
    """Find today's due items of every registered kind (accountability/registry.py),
    create their reminder rows, and (after commit) enqueue delivery in batches of up
    to REMINDER_BATCH_SIZE ids per message. With enqueue=False the caller delivers
    `to_deliver` itself (the command). Dates are computed in TIME_ZONE."""
    today = today or timezone.localdate()
    result = ScanResult(today=today)
    registry.before_scan()
    exact, window = reminder_due_windows(today=today)
    if connection.vendor == "postgresql":
        # Set-based: the rows never leave the database (the scan's cost at a million milestones).
        for source in registry.due_rows_sql(exact=exact, window=window):
            due, created = reminders_create_for_due_sql(source=source, today=today)
            result.due_items += due
            result.reminders += created
    else:
        items = list(registry.due_rows(exact=exact, window=window))
        result.due_items = len(items)
        result.reminders = reminders_create_for_due(items=items, today=today)
    result.to_deliver = reminder_ids_to_deliver()
    if enqueue:
        result.messages = reminders_enqueue_delivery(result.to_deliver)
    return result
