"""Floor 5, plans: goals, milestones, reviews and handovers.

Invariants held by the database (see DESIGN.md):
- every milestone and review has exactly one accountable professional (NOT NULL);
- a goal cannot exist without what will be different, a measure and a date.

May use: cases, accountability, agencies, audit. Never sharing (same floor).
"""

import uuid

from django.db import models
from django.db.models import Q

from agencies.models import Professional
from cases.models import Case

HISTORY_HELP = (
    "Changes after creation, oldest first (plans.services writes them): "
    "[{at, by, by_name, change, from, to, reason}]. The audit trail holds the same events."
)


class GoalStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    ACHIEVED = "achieved", "Achieved"
    NOT_ACHIEVED = "not_achieved", "Not achieved"


class Goal(models.Model):
    """A SMART goal: what will be different, how it is measured, by when."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="goals")
    description = models.TextField(help_text="What will be different")
    measure = models.TextField(help_text="How we will know")
    target_date = models.DateField()
    plain_summary = models.TextField(help_text="The goal in plain words for the person")
    status = models.CharField(max_length=20, choices=GoalStatus.choices, default=GoalStatus.ACTIVE)
    outcome_note = models.TextField(blank=True, default="", help_text="Why the goal was, or was not, achieved")
    outcome_at = models.DateTimeField(null=True, blank=True)
    outcome_by = models.ForeignKey(Professional, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    history = models.JSONField(default=list, blank=True, help_text=HISTORY_HELP)
    created_by = models.ForeignKey(Professional, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["target_date", "created_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(description=""), name="goal_description_not_empty"),
            models.CheckConstraint(condition=~Q(measure=""), name="goal_measure_not_empty"),
            models.CheckConstraint(condition=~Q(plain_summary=""), name="goal_plain_summary_not_empty"),
        ]

    def __str__(self) -> str:
        return self.description[:60]


class ItemStatus(models.TextChoices):
    OPEN = "open", "Open"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


class Milestone(models.Model):
    """A step toward a goal with a due date and exactly one accountable professional."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="milestones")
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(max_length=200)
    plain_summary = models.TextField(blank=True)
    due_date = models.DateField()
    accountable = models.ForeignKey(Professional, on_delete=models.PROTECT, related_name="milestones")
    status = models.CharField(max_length=10, choices=ItemStatus.choices, default=ItemStatus.OPEN)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(Professional, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    history = models.JSONField(default=list, blank=True, help_text=HISTORY_HELP)
    created_by = models.ForeignKey(Professional, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_date", "created_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="milestone_title_not_empty"),
            models.CheckConstraint(
                condition=~Q(status="completed") | Q(completed_at__isnull=False),
                name="milestone_completed_has_completed_at",
            ),
        ]
        indexes = [
            # My work: my open items, soonest first.
            models.Index(
                fields=["accountable", "due_date"], condition=Q(status="open"), name="milestone_open_accountable_idx"
            ),
            # The reminder scan: open items by due date.
            models.Index(fields=["due_date"], condition=Q(status="open"), name="milestone_open_due_idx"),
        ]

    def __str__(self) -> str:
        return self.title


class ReviewKind(models.TextChoices):
    CASE_REVIEW = "case_review", "Case review"
    CONFERENCE = "conference", "Case conference"


class Review(models.Model):
    """A case review or conference with exactly one accountable professional."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reviews")
    kind = models.CharField(max_length=20, choices=ReviewKind.choices, default=ReviewKind.CASE_REVIEW)
    scheduled_for = models.DateField()
    accountable = models.ForeignKey(Professional, on_delete=models.PROTECT, related_name="reviews")
    status = models.CharField(max_length=10, choices=ItemStatus.choices, default=ItemStatus.OPEN)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(Professional, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    history = models.JSONField(default=list, blank=True, help_text=HISTORY_HELP)
    created_by = models.ForeignKey(Professional, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["scheduled_for", "created_at"]
        indexes = [
            models.Index(
                fields=["accountable", "scheduled_for"], condition=Q(status="open"), name="review_open_accountable_idx"
            ),
            models.Index(fields=["scheduled_for"], condition=Q(status="open"), name="review_open_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.scheduled_for}"


class Handover(models.Model):
    """Who handed which milestone or review to whom, when. Written by the handover service."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="handovers")
    subject_type = models.CharField(max_length=20)  # "milestone" | "review"
    subject_id = models.UUIDField()
    from_professional = models.ForeignKey(Professional, on_delete=models.PROTECT, related_name="+")
    to_professional = models.ForeignKey(Professional, on_delete=models.PROTECT, related_name="+")
    handed_over_by = models.ForeignKey(Professional, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["subject_type", "subject_id"], name="handover_subject_idx")]
