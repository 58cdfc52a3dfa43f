"""Floor 2, agencies: who works where (agencies, their teams, the professionals in them).

May use: audit.
"""

import uuid

from django.conf import settings
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken


class AgencyKind(models.TextChoices):
    HEALTH = "health", "Health"
    SOCIAL_CARE = "social_care", "Social care"
    EDUCATION = "education", "Education"
    POLICE = "police", "Police"
    HOUSING = "housing", "Housing"
    VOLUNTARY = "voluntary", "Voluntary sector"
    OTHER = "other", _("Other")


class Profession(models.TextChoices):
    SOCIAL_WORKER = "social_worker", _("Social worker")
    NURSE = "nurse", _("Nurse")
    HEALTH_VISITOR = "health_visitor", _("Health visitor")
    GP = "gp", _("GP")
    TEACHER = "teacher", _("Teacher")
    POLICE_OFFICER = "police_officer", _("Police officer")
    HOUSING_OFFICER = "housing_officer", _("Housing officer")
    SUPPORT_WORKER = "support_worker", _("Support worker")
    MANAGER = "manager", _("Manager")
    OTHER = "other", _("Other")


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


# --- Signing in (issue 10): API tokens and sessions that know their user ---------------


class ApiToken(AbstractAuthToken):
    """An API token (django-rest-knox): only the SHA-512 digest and the first characters of the
    key are stored; the key itself is shown once, when issued. Named for the client that holds it
    (one user may have several: a case-management system, a script); expires at `expiry`."""

    name = models.CharField(max_length=100, default="api")

    class Meta:
        indexes = [models.Index(fields=["user", "expiry"], name="apitoken_user_expiry_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.token_key}…)"


class UserSession(AbstractBaseSession):
    """A server-side session that records whose it is, so that every session of a user can be ended
    at once (deactivation, a reset of their second factors). agencies.sessions is the engine."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, db_index=True)

    @classmethod
    def get_session_store_class(cls):  # type: ignore[override]
        from agencies.sessions import SessionStore

        return SessionStore
