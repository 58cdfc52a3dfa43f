"""The work itself: people, cases, the case team, the plan, records, consent.

Invariants held by the database (see DESIGN.md):
- a case has exactly one lead professional (NOT NULL foreign key) and at most
  one active lead-professional assignment (partial unique constraint);
- every milestone and review has exactly one accountable professional (NOT NULL);
- a goal cannot exist without what will be different, a measure and a date.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from agencies.models import Agency, Professional


class Category(models.TextChoices):
    GENERAL = "general", "General (coordination)"
    HEALTH = "health", "Health"
    MENTAL_HEALTH = "mental_health", "Mental health"
    SUBSTANCE_USE = "substance_use", "Substance use"
    SOCIAL_CARE = "social_care", "Social care"
    EDUCATION = "education", "Education"
    POLICE = "police", "Police"
    HOUSING = "housing", "Housing"


class Person(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField(null=True, blank=True)
    preferred_language = models.CharField(max_length=35, default="en", help_text="BCP 47 tag, e.g. en, cy, pl, ar")
    interpreter_needed = models.BooleanField(default=False)
    registered_by = models.ForeignKey(Professional, on_delete=models.PROTECT, related_name="people_registered")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="person"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["family_name", "given_name"]
        verbose_name_plural = "people"

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"


class CaseStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class CaseReferenceCounter(models.Model):
    """The last number handed out in a year, for C-YYYY-NNNNN references."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)


class Case(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(max_length=20, unique=True, editable=False)
    title = models.CharField(max_length=200)
    people = models.ManyToManyField(Person, related_name="cases")
    lead_professional = models.ForeignKey(Professional, on_delete=models.PROTECT, related_name="cases_led")
    status = models.CharField(max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    opened_by = models.ForeignKey(Professional, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(Professional, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    closure_reason = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-opened_at"]
        permissions = [
            ("manage_case", "Manage the case team, plan and closure"),
            ("contribute_case", "Contribute to the case (plan items, records)"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open", closed_at__isnull=True) | Q(status="closed", closed_at__isnull=False),
                name="case_closed_has_closed_at",
            ),
            models.CheckConstraint(condition=~Q(title=""), name="case_title_not_empty"),
        ]
        indexes = [models.Index(fields=["status", "-opened_at"], name="case_status_opened_idx")]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class CaseUserObjectPermission(UserObjectPermissionBase):
    """django-guardian direct foreign-key table: fast joins, real cascades."""

    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)


class CaseGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)


class Role(models.TextChoices):
    LEAD_PROFESSIONAL = "lead_professional", "Lead professional"
    KEY_WORKER = "key_worker", "Key worker"
    CONTRIBUTOR = "contributor", "Contributor"
    TEAM_LEAD = "team_lead", "Team lead (oversight)"


class RoleAssignment(models.Model):
    """A professional on a case team, with a role and dates. Active while ended_on is null."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assignments")
    professional = models.ForeignKey(Professional, on_delete=models.PROTECT, related_name="assignments")
    role = models.CharField(max_length=20, choices=Role.choices)
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    assigned_by = models.ForeignKey(Professional, on_delete=models.PROTECT, related_name="+")
    ended_by = models.ForeignKey(Professional, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["started_on", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(role="lead_professional", ended_on__isnull=True),
                name="one_active_lead_per_case",
            ),
            models.UniqueConstraint(
                fields=["case", "professional"],
                condition=Q(ended_on__isnull=True),
                name="one_active_role_per_professional_per_case",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="assignment_ends_after_start",
            ),
        ]
        indexes = [
            # The visibility predicate: Exists(active assignment of me on this case).
            models.Index(
                fields=["professional", "case"], condition=Q(ended_on__isnull=True), name="active_assignment_idx"
            ),
            models.Index(fields=["case"], condition=Q(ended_on__isnull=True), name="active_assignment_case_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.professional} as {self.get_role_display()} on {self.case_id}"

    @property
    def is_active(self) -> bool:
        return self.ended_on is None


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


class Record(models.Model):
    """A case note. Immutable once written; a correction is a new record that
    references the one it corrects."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="records")
    category = models.CharField(max_length=20, choices=Category.choices)
    about = models.ManyToManyField(Person, related_name="records")
    text = models.TextField()
    author = models.ForeignKey(Professional, on_delete=models.PROTECT, related_name="records_written")
    author_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    corrects = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrections")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(condition=~Q(text=""), name="record_text_not_empty")]
        indexes = [models.Index(fields=["case", "-created_at"], name="record_case_created_idx")]


class ConsentDecision(models.TextChoices):
    GIVEN = "given", "Given"
    REFUSED = "refused", "Refused"


class Consent(models.Model):
    """A person's decision to share (or not) one category with one agency for a purpose."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents")
    category = models.CharField(max_length=20, choices=Category.choices)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="consents")
    purpose = models.CharField(max_length=300)
    decision = models.CharField(max_length=10, choices=ConsentDecision.choices, default=ConsentDecision.GIVEN)
    valid_from = models.DateField()
    valid_until = models.DateField(null=True, blank=True)
    given_by = models.CharField(max_length=200, help_text="The person, or who holds parental responsibility")
    recorded_by = models.ForeignKey(Professional, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    recorded_by_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="consent_until_after_from",
            ),
        ]
        indexes = [
            models.Index(
                fields=["person", "category", "agency"],
                condition=Q(withdrawn_at__isnull=True, decision="given"),
                name="consent_active_idx",
            ),
        ]


class LawfulBasis(models.TextChoices):
    CHILD_AT_RISK = "child_at_risk", "A child is at risk of significant harm"
    ADULT_AT_RISK = "adult_at_risk", "An adult is at risk of abuse or neglect"
    SERIOUS_CRIME = "serious_crime", "Prevention or detection of serious crime"
    VITAL_INTERESTS = "vital_interests", "Vital interests (life or serious harm)"


class OverrideOutcome(models.TextChoices):
    JUSTIFIED = "justified", "Justified"
    NOT_JUSTIFIED = "not_justified", "Not justified"


class SafeguardingAccess(models.Model):
    """A 'break glass' override for one category on one case, for 72 hours."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="safeguarding_accesses")
    professional = models.ForeignKey(Professional, on_delete=models.PROTECT, related_name="safeguarding_accesses")
    category = models.CharField(max_length=20, choices=Category.choices)
    lawful_basis = models.CharField(max_length=20, choices=LawfulBasis.choices)
    justification = models.TextField()
    started_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    reviewer = models.ForeignKey(Professional, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    review_due = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=OverrideOutcome.choices, blank=True)
    outcome_notes = models.TextField(blank=True)
    person_may_be_told = models.BooleanField(default=False)
    reviewed_by = models.ForeignKey(Professional, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name_plural = "safeguarding accesses"
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("started_at")), name="override_expires_after_start"
            ),
        ]
        indexes = [
            models.Index(fields=["professional", "case", "category", "expires_at"], name="override_lookup_idx"),
        ]
