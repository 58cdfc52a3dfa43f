"""Floor 6, meetings: multi-agency meetings without groupthink.

A meeting on a case has a chair and a different note-taker from the case team,
invitees from the case team, and (optionally) the family. Before it, each
invitee gives an independent view; the view is sealed (DESIGN invariant 10):
nobody but its author reads it until the chair opens the meeting. Decisions
record who agreed and who dissented; a dissent asks the chair's team lead for a
written answer; actions become milestones of the plan in the same transaction.

Invariants held by the database: chair != note-taker, the meeting ends after it
starts, a rating is 0-10, one view per invitee and one family view per meeting.

May use: plans, sharing, cases, accountability, agencies, audit.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from agencies.models import Professional
from cases.models import Case, Person
from plans.models import Milestone
from sharing.models import Category, Record


class MeetingKind(models.TextChoices):
    STRATEGY_DISCUSSION = "strategy_discussion", "Strategy discussion"
    INITIAL_CONFERENCE = "initial_conference", "Initial child protection conference"
    REVIEW_CONFERENCE = "review_conference", "Review child protection conference"
    CORE_GROUP = "core_group", "Core group meeting"
    TEAM_AROUND_THE_FAMILY = "team_around_the_family", "Team around the family"
    PROFESSIONALS = "professionals", "Professionals' meeting"


CONFERENCE_KINDS = {MeetingKind.INITIAL_CONFERENCE, MeetingKind.REVIEW_CONFERENCE}


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"
    CANCELLED = "cancelled", "Cancelled"


class Meeting(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="meetings")
    kind = models.CharField(max_length=30, choices=MeetingKind.choices)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    location = models.CharField(max_length=300, help_text="A place, or an online meeting link")
    chair = models.ForeignKey(Professional, on_delete=models.PROTECT, related_name="meetings_chaired")
    note_taker = models.ForeignKey(Professional, on_delete=models.PROTECT, related_name="meetings_noted")
    family_invited = models.BooleanField(default=False)
    views_due_at = models.DateTimeField()
    views_due_on = models.DateField(help_text="views_due_at's date in TIME_ZONE: the due date of pending views")
    status = models.CharField(max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED)
    sequence = models.PositiveIntegerField(default=0, help_text="iTIP SEQUENCE: rises with each change")
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    minutes = models.TextField(blank=True)
    plain_summary = models.TextField(blank=True, help_text="For the family, in plain words")
    minutes_record = models.ForeignKey(Record, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(Professional, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(chair=F("note_taker")), name="meeting_chair_is_not_note_taker"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="meeting_ends_after_start"),
        ]
        indexes = [
            models.Index(fields=["case", "-starts_at"], name="meeting_case_idx"),
            # The pending-view scan: scheduled meetings by the date their views are due.
            models.Index(fields=["views_due_on"], condition=Q(status="scheduled"), name="meeting_views_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.starts_at:%Y-%m-%d}"


class Attendance(models.TextChoices):
    PRESENT = "present", "Present"
    APOLOGIES = "apologies", "Sent apologies"
    ABSENT = "absent", "Absent"


class Invitee(models.Model):
    """A professional invited to a meeting. While their view is not given (and the meeting is
    scheduled) it is a due item: the pending view, due on the meeting's views_due_on."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitees")
    professional = models.ForeignKey(Professional, on_delete=models.PROTECT, related_name="meeting_invitations")
    view_given_at = models.DateTimeField(null=True, blank=True)
    attendance = models.CharField(max_length=10, choices=Attendance.choices, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True, help_text="Uninvited (a CANCEL was sent)")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "professional"], name="invitee_once_per_meeting"),
        ]
        indexes = [
            # The pending-view scan and My work: views not given yet.
            models.Index(
                fields=["professional"],
                condition=Q(view_given_at__isnull=True, removed_at__isnull=True),
                name="invitee_pending_view_idx",
            ),
        ]


class MeetingView(models.Model):
    """One independent view (Signs of Safety questions and a 0-10 rating). Sealed until the
    meeting opens; at opening a professional's view is written as a sharing Record of its
    category (`record`), so the sharing policy decides who reads it from then on."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="views")
    author = models.ForeignKey(
        Professional, on_delete=models.PROTECT, null=True, blank=True, related_name="meeting_views"
    )
    family = models.BooleanField(default=False)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    given_by_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    rating = models.PositiveSmallIntegerField()
    worries = models.TextField(help_text="What are we worried about?")
    working_well = models.TextField(help_text="What is working well?")
    next_steps = models.TextField(help_text="What needs to happen?")
    category = models.CharField(max_length=20, choices=Category.choices, default=Category.GENERAL)
    record = models.ForeignKey(Record, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-family", "created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(rating__gte=0, rating__lte=10), name="view_rating_0_to_10"),
            models.CheckConstraint(
                condition=Q(family=True, author__isnull=True) | Q(family=False, author__isnull=False),
                name="view_family_or_author",
            ),
            models.UniqueConstraint(
                fields=["meeting", "author"], condition=Q(author__isnull=False), name="one_view_per_invitee"
            ),
            models.UniqueConstraint(fields=["meeting"], condition=Q(family=True), name="one_family_view"),
        ]


class Decision(models.Model):
    """A decision of an open meeting: its text, who agreed, who dissented (Dissent) and the
    actions that became milestones (Action). Written as a `general` Record for the case team.
    After the meeting closes a decision is never changed; a correction is a new decision that
    names the one it corrects."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    text = models.TextField()
    agreed_by = models.ManyToManyField(Professional, related_name="+", blank=True)
    recorded_by = models.ForeignKey(Professional, on_delete=models.PROTECT, related_name="+")
    record = models.ForeignKey(Record, on_delete=models.PROTECT, related_name="+")
    corrects = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrections")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.CheckConstraint(condition=~Q(text=""), name="decision_text_not_empty")]


class Dissent(models.Model):
    """Who disagreed with a decision and why, in their own words; the chair's team lead owes a
    written answer within 28 days (a due item while unanswered)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="dissents")
    professional = models.ForeignKey(Professional, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    answerer = models.ForeignKey(Professional, on_delete=models.PROTECT, related_name="dissents_to_answer")
    answer_due = models.DateField()
    answer = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(Professional, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="dissent_reason_not_empty"),
            models.UniqueConstraint(fields=["decision", "professional"], name="one_dissent_per_professional"),
        ]
        indexes = [
            models.Index(fields=["answer_due"], condition=Q(answered_at__isnull=True), name="dissent_unanswered_idx")
        ]


class Action(models.Model):
    """An action agreed in a decision: the milestone it became, linked back to the meeting."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="actions")
    milestone = models.OneToOneField(Milestone, on_delete=models.PROTECT, related_name="meeting_action")

    class Meta:
        ordering = ["milestone__due_date", "id"]


class NextMeeting(models.Model):
    """The next meeting suggested when a meeting closes: a due item for its chair until a
    meeting of that kind is scheduled on the case."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    after = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="next_suggested")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=30, choices=MeetingKind.choices)
    due_on = models.DateField()
    chair = models.ForeignKey(Professional, on_delete=models.PROTECT, related_name="+")
    scheduled = models.ForeignKey(Meeting, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["due_on"], condition=Q(scheduled__isnull=True), name="next_meeting_owed_idx")]


class MailMethod(models.TextChoices):
    REQUEST = "REQUEST", "Invitation or update"
    CANCEL = "CANCEL", "Cancellation"


class MailStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be e-mailed"
    SENDING = "sending", "Being e-mailed"
    SENT = "sent", "E-mailed"
    SKIPPED = "skipped", "Not e-mailed (no address, or superseded)"
    FAILED = "failed", "E-mail failed after every retry"


class InvitationMail(models.Model):
    """The outbox of iTIP e-mails (docs/decisions/0018): a row per invitee and SEQUENCE,
    written in the transaction of the change, sent by the worker exactly once (claim
    pending -> sending). Carries no case content: the .ics is built at send time from
    identifiers, times and addresses only."""

    id = models.BigAutoField(primary_key=True)
    invitee = models.ForeignKey(Invitee, on_delete=models.CASCADE, related_name="mails")
    method = models.CharField(max_length=10, choices=MailMethod.choices)
    sequence = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=MailStatus.choices, default=MailStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["invitee", "sequence", "method"], name="invitation_mail_once"),
        ]
        indexes = [models.Index(fields=["created_at"], condition=Q(status="pending"), name="invitation_mail_pending")]
