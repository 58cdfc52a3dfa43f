"""Floor 3, accountability: reminders, notifications, digests and each
professional's reminder settings.

accountability knows nothing of cases: a reminder or notification names its
subject by type and UUID, and cases by UUID, never by foreign key, so any later
kind of work (subject-access requests, and the higher floors') is served unchanged.

May use: agencies, audit.
"""

import uuid

from django.db import models
from django.db.models import Q

from accountability.registry import notice_label
from agencies.models import Professional


class ReminderKind(models.TextChoices):
    """accountability's own kinds: the scan's reminders and the notices of any item's handover,
    change, cancellation and completion. Every other kind is registered by the app that tells it
    (registry.NoticeKind, decision 0086); `kind` columns hold any registered code."""

    UPCOMING = "upcoming", "Due within 7 days"
    DUE_TOMORROW = "due_tomorrow", "Due tomorrow"
    DUE_TODAY = "due_today", "Due today"
    OVERDUE = "overdue", "Overdue"
    ESCALATION = "escalation", "Escalation: overdue by 3 days or more"
    HANDOVER = "handover", "Handed over to you"  # a notice, queued by the handover's transaction
    # Notices queued by the transaction of the change they tell about (notice_queue, the outbox).
    ITEM_CHANGED = "item_changed", "Changed by someone else"
    ITEM_CANCELLED = "item_cancelled", "Cancelled by someone else"
    ITEM_COMPLETED = "item_completed", "Marked complete by someone else"


# What the scan reminds of: one row per (subject, kind, recipient, due date), whatever day the scan
# (or a handover's catch-up, notices_for_new_holder) creates it. Every other kind is a notice of
# something that happened, told on the day it happened: its key adds `told_on` (decision 0047).
SCAN_REMINDER_KINDS = frozenset(
    {
        ReminderKind.UPCOMING,
        ReminderKind.DUE_TOMORROW,
        ReminderKind.DUE_TODAY,
        ReminderKind.OVERDUE,
        ReminderKind.ESCALATION,
    }
)


class EmailStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be e-mailed"
    SENDING = "sending", "Being e-mailed"
    SENT = "sent", "E-mailed"
    DIGEST = "digest", "Waiting for the daily digest"
    IN_DIGEST = "in_digest", "Sent in a digest"
    SKIPPED = "skipped", "No e-mail (recipient's choice)"
    FAILED = "failed", "E-mail failed after every retry"


class Reminder(models.Model):
    """One reminder of one due item to one professional, for one due date.

    Invariant 6 (exactly once): the row is created before anything is sent and
    its key (subject, kind, recipient, due date) is unique, so re-running the
    scan inserts nothing new; delivery claims the row atomically (sent_at from
    NULL), so a second worker or a redelivered message finds nothing to do.
    A notice of a change (any kind not in SCAN_REMINDER_KINDS) is keyed by the
    day it is told too (`told_on`): the same change told twice in one day is one
    notice, a change on a later day is told again. Scan reminders have no
    `told_on` and keep the key without it.
    The e-mail has its own claim (email_status pending -> sending).

    Names cases and people by UUID, never by foreign key (accountability knows
    nothing of cases); `accountable` is who was accountable for the subject
    when the scan ran, checked again at claim time so a handover between scan
    and delivery never reminds the previous holder."""

    id = models.BigAutoField(primary_key=True)
    subject_type = models.CharField(max_length=40)  # "milestone" | "review" | any later kind of work
    subject_id = models.UUIDField()
    kind = models.CharField(max_length=20)  # a registered NoticeKind code (registry.notice_kind)
    recipient = models.UUIDField(help_text="Professional id")
    accountable = models.UUIDField(help_text="Professional accountable for the subject when the scan ran")
    due_date = models.DateField()
    told_on = models.DateField(
        null=True, blank=True, help_text="A notice: the day it was told (in its key); none for scan reminders"
    )
    case = models.UUIDField(null=True, blank=True)
    case_reference = models.CharField(max_length=20, blank=True)
    link = models.CharField(max_length=300, help_text="Path in the app, e.g. /cases/<id>/#milestone-<id>")
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True, help_text="When the in-app notification was created")
    cancelled_at = models.DateTimeField(
        null=True, blank=True, help_text="Not delivered: the item was done, handed over or closed before delivery"
    )
    email_status = models.CharField(max_length=10, choices=EmailStatus.choices, default=EmailStatus.PENDING)
    email_sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0, help_text="E-mail attempts")
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    digest = models.ForeignKey("accountability.Digest", on_delete=models.PROTECT, null=True, blank=True, db_index=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject_type", "subject_id", "kind", "recipient", "due_date"],
                condition=Q(told_on__isnull=True),
                name="reminder_once",
            ),
            models.UniqueConstraint(
                fields=["subject_type", "subject_id", "kind", "recipient", "due_date", "told_on"],
                condition=Q(told_on__isnull=False),
                name="notice_once_a_day",
            ),
        ]
        indexes = [
            # The delivery sweep: rows not yet delivered in-app.
            models.Index(
                fields=["created_at"],
                condition=Q(sent_at__isnull=True, cancelled_at__isnull=True),
                name="reminder_undelivered_idx",
            ),
            # E-mails waiting for a retry, and reminders waiting for the digest. Both conditions
            # exclude freshly created rows (sent_at is NULL, status pending), so the scan's
            # INSERT maintains only the primary key, the unique key and the undelivered index.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(email_status="pending", sent_at__isnull=False),
                name="reminder_email_retry_idx",
            ),
            models.Index(
                fields=["recipient"],
                condition=Q(email_status="digest", digest__isnull=True),
                name="reminder_digest_wait_idx",
            ),
            models.Index(fields=["digest"], condition=Q(digest__isnull=False), name="reminder_in_digest_idx"),
        ]

    def __str__(self) -> str:
        return f"{notice_label(self.kind)} {self.subject_type} {self.case_reference} to {self.recipient}"


class Notification(models.Model):
    """An in-app notification: created in the same transaction that claims its reminder."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    recipient = models.UUIDField(help_text="Professional id")
    reminder = models.OneToOneField(
        Reminder, on_delete=models.PROTECT, null=True, blank=True, related_name="notification"
    )
    kind = models.CharField(max_length=20)  # a registered NoticeKind code (registry.notice_kind)
    subject_type = models.CharField(max_length=40)
    subject_id = models.UUIDField()
    due_date = models.DateField()
    case = models.UUIDField(null=True, blank=True)
    case_reference = models.CharField(max_length=20, blank=True)
    accountable = models.UUIDField(null=True, blank=True)
    link = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_recipient_idx"),
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread_idx"),
        ]

    def __str__(self) -> str:
        return f"{notice_label(self.kind)} {self.subject_type} {self.case_reference}"


class Digest(models.Model):
    """One daily digest e-mail to one professional. Unique per (recipient, day):
    created before sending, then claimed like a reminder."""

    id = models.BigAutoField(primary_key=True)
    recipient = models.UUIDField(help_text="Professional id")
    digest_date = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    email_status = models.CharField(max_length=10, choices=EmailStatus.choices, default=EmailStatus.PENDING)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-digest_date", "-id"]
        constraints = [models.UniqueConstraint(fields=["recipient", "digest_date"], name="digest_once_a_day")]

    def __str__(self) -> str:
        return f"Digest {self.digest_date} to {self.recipient}"


class ReminderDelivery(models.TextChoices):
    EACH = "each", "An e-mail for each reminder"
    DIGEST = "digest", "One daily digest e-mail"
    NONE = "none", "No e-mail (in-app only)"


class ReminderSettings(models.Model):
    """How one professional is reminded, and the secret of their calendar feed.

    No row means the defaults: an e-mail for each reminder and no calendar feed
    until the professional asks for one (accountability_settings_for creates it)."""

    professional = models.OneToOneField(
        Professional, on_delete=models.CASCADE, primary_key=True, related_name="reminder_settings"
    )
    delivery = models.CharField(max_length=10, choices=ReminderDelivery.choices, default=ReminderDelivery.EACH)
    calendar_token = models.CharField(max_length=64, unique=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "reminder settings"

    def __str__(self) -> str:
        return f"Reminder settings of {self.professional_id}"
