"""Floor 6, portal: what the person (or their proxy) says to the team: messages to the
lead worker, with replies, and what they think of their plan (a comment and a rating).

May use: plans, sharing, cases, accountability, agencies, audit.
"""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from agencies.models import Professional
from cases.models import Case, Person


class MessageKind(models.TextChoices):
    FROM_PERSON = "from_person", "From the person"
    REPLY = "reply", "Reply from the lead worker"
    NOTICE = "notice", "The person changed what they share"


class PortalMessage(models.Model):
    """One message in a person's thread with the lead worker of one case. A message
    from the person (or a notice of a change they made) is owed an answer by the lead
    professional within ANSWER_DAYS (portal.due): reminded and escalated like any item."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="portal_messages")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="portal_messages")
    kind = models.CharField(max_length=20, choices=MessageKind.choices)
    text = models.TextField()
    author_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    author_professional = models.ForeignKey(
        Professional, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    to_professional = models.ForeignKey(
        Professional, on_delete=models.PROTECT, null=True, blank=True, related_name="portal_messages_to_answer"
    )
    answer_by = models.DateField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="portal_message_text_not_empty"),
            models.CheckConstraint(
                condition=Q(kind="reply") | Q(to_professional__isnull=False, answer_by__isnull=False),
                name="portal_message_has_someone_to_answer",
            ),
        ]
        indexes = [
            models.Index(fields=["person", "case", "created_at"], name="portal_message_thread_idx"),
            models.Index(
                fields=["to_professional", "answer_by"],
                condition=Q(answered_at__isnull=True) & ~Q(kind="reply"),
                name="portal_message_unanswered_idx",
            ),
        ]


class Feedback(models.Model):
    """What the person thinks of their plan: a 1-5 rating and a comment, at any time."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="portal_feedback")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="portal_feedback")
    author_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    rating = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5), name="feedback_rating_1_to_5"),
        ]
        indexes = [models.Index(fields=["case", "-created_at"], name="feedback_case_latest_idx")]
