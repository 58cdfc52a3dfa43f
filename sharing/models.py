"""Floor 5, sharing: records, consent and the safeguarding override.

Who may read a record is decided in sharing/policy.py, nowhere else.

May use: cases, accountability, agencies, audit. Never plans (same floor).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from agencies.models import Agency, Professional
from cases.models import Case, Person


class Category(models.TextChoices):
    GENERAL = "general", "General (coordination)"
    HEALTH = "health", "Health"
    MENTAL_HEALTH = "mental_health", "Mental health"
    SUBSTANCE_USE = "substance_use", "Substance use"
    SOCIAL_CARE = "social_care", "Social care"
    EDUCATION = "education", "Education"
    POLICE = "police", "Police"
    HOUSING = "housing", "Housing"


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
            # The latest decision in force per person, category and agency (sharing.policy).
            models.Index(fields=["person", "category", "agency", "created_at"], name="consent_latest_idx"),
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
    review_by_admins = models.BooleanField(
        default=False,
        db_default=False,
        help_text="No information-governance lead but the holder could review it: the admins' queue.",
    )
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


class SubjectAccessStatus(models.TextChoices):
    RECEIVED = "received", "Received"
    SENT = "sent", "Sent"
    # A second open request of a person from before one open request per person was enforced
    # (migration 0004): kept, and answered by the person's earlier open request.
    MERGED = "merged", "Merged into an earlier request"


class SubjectAccessRequest(models.Model):
    """A person's request for a copy of their records: a due item for the
    information-governance lead of their lead professional's agency, due in one calendar
    month (sharing.due), reminded and escalated like any other."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="subject_access_requests")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="subject_access_requests")
    requested_by_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    accountable = models.ForeignKey(Professional, on_delete=models.PROTECT, related_name="subject_access_requests")
    due_date = models.DateField()
    status = models.CharField(max_length=10, choices=SubjectAccessStatus.choices, default=SubjectAccessStatus.RECEIVED)
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(Professional, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(completed_at__isnull=False), name="sar_sent_has_completed_at"
            ),
            # One open request per person, even for two requests sent at the same moment.
            models.UniqueConstraint(fields=["person"], condition=Q(status="received"), name="sar_one_open_per_person"),
        ]
        indexes = [
            models.Index(fields=["accountable", "due_date"], condition=Q(status="received"), name="sar_open_idx"),
        ]
