"""Floor 2, agencies: who works where (agencies, their teams, the professionals in them).

May use: audit.
"""

import uuid

from django.conf import settings
from django.db import models


class AgencyKind(models.TextChoices):
    HEALTH = "health", "Health"
    SOCIAL_CARE = "social_care", "Social care"
    EDUCATION = "education", "Education"
    POLICE = "police", "Police"
    HOUSING = "housing", "Housing"
    VOLUNTARY = "voluntary", "Voluntary sector"
    OTHER = "other", "Other"


class Profession(models.TextChoices):
    SOCIAL_WORKER = "social_worker", "Social worker"
    NURSE = "nurse", "Nurse"
    HEALTH_VISITOR = "health_visitor", "Health visitor"
    GP = "gp", "GP"
    TEACHER = "teacher", "Teacher"
    POLICE_OFFICER = "police_officer", "Police officer"
    HOUSING_OFFICER = "housing_officer", "Housing officer"
    SUPPORT_WORKER = "support_worker", "Support worker"
    MANAGER = "manager", "Manager"
    OTHER = "other", "Other"


class Agency(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=AgencyKind.choices)
    information_governance_lead = models.ForeignKey(
        "agencies.Professional",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Reviews every safeguarding override taken by this agency's staff.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(max_length=200)
    lead = models.ForeignKey(
        "agencies.Professional", on_delete=models.SET_NULL, null=True, blank=True, related_name="teams_led"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["agency__name", "name"]
        constraints = [models.UniqueConstraint(fields=["agency", "name"], name="team_name_unique_in_agency")]

    def __str__(self) -> str:
        return f"{self.name} ({self.agency})"


class Professional(models.Model):
    """A named person who works for an agency and can be held to account."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="professional")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="professionals")
    team = models.ForeignKey(Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="members")
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    profession = models.CharField(max_length=20, choices=Profession.choices)
    is_agency_admin = models.BooleanField(default=False, help_text="May manage this agency's teams and professionals.")
    is_information_governance_lead = models.BooleanField(
        default=False,
        db_default=False,  # bulk loads (bench/seed.py COPY) may leave it out
        help_text="One of the agency's information-governance leads (besides the agency's named lead): "
        "reviews overrides and reads the agency's audit trail.",
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["family_name", "given_name"]
        indexes = [models.Index(fields=["team"], name="professional_team_idx")]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"
