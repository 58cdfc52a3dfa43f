"""Floor 4, cases: people, cases and the case team (who is on it, in which role).

Invariants held by the database (see DESIGN.md):
- a case has exactly one lead professional (NOT NULL foreign key) and at most
  one active lead-professional assignment (partial unique constraint).

May use: agencies, accountability, audit.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from agencies.models import Professional


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
    plain_title = models.CharField(
        max_length=200, blank=True, help_text='What the person sees; empty: "Your plan with {lead\'s agency}"'
    )
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

    @property
    def plain_title_or_default(self) -> str:
        """The title the person sees (never the professional title)."""
        return self.plain_title or gettext("Your plan with %(agency)s") % {"agency": self.lead_professional.agency.name}


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


# --- Families -------------------------------------------------------------------


class Household(models.Model):
    """People who live together: an address, and the household's language and
    interpreter needs (which may differ from one member's own)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200)
    address = models.TextField(blank=True)
    language = models.CharField(max_length=35, default="en", help_text="BCP 47 tag, e.g. en, cy, pl, ar")
    interpreter_needed = models.BooleanField(default=False)
    members = models.ManyToManyField(Person, related_name="households")
    created_by = models.ForeignKey(Professional, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "created_at"]
        constraints = [models.CheckConstraint(condition=~Q(name=""), name="household_name_not_empty")]

    def __str__(self) -> str:
        return self.name


class RelationshipKind(models.TextChoices):
    PARENT = "parent", "Parent"
    STEP_PARENT = "step_parent", "Step-parent"
    CARER = "carer", "Carer"
    GRANDPARENT = "grandparent", "Grandparent"
    SIBLING = "sibling", "Sibling"
    PARTNER = "partner", "Partner"
    OTHER = "other", "Other"


class Relationship(models.Model):
    """`person` is the `kind` of `to` (Jade is the parent of Leo), and may hold
    parental responsibility for them. One row per ordered pair."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="relationships_from")
    to = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="relationships_to")
    kind = models.CharField(max_length=20, choices=RelationshipKind.choices)
    parental_responsibility = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(Professional, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["person", "to"], name="one_relationship_per_pair"),
            models.CheckConstraint(condition=~Q(person=models.F("to")), name="relationship_not_to_self"),
        ]

    def __str__(self) -> str:
        return f"{self.person} is {self.get_kind_display()} of {self.to}"


# --- Proxy access to the portal --------------------------------------------------


class ProxyScope(models.TextChoices):
    PLAN = "plan", "Plan only"
    PLAN_AND_CONSENTS = "plan_and_consents", "Plan and consents"


class ProxyAccess(models.Model):
    """A portal account (a parent's, a carer's) that may see another person's portal,
    linked through a recorded relationship by the lead professional. In force while not
    ended, not frozen, not past `valid_until`, and (from the person's 16th birthday)
    only when the young person agreed at 16 or over (cases.selectors.proxy_in_force)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="proxies")
    proxy_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="proxy_accesses")
    relationship = models.ForeignKey(Relationship, on_delete=models.PROTECT, related_name="proxy_accesses")
    scope = models.CharField(max_length=20, choices=ProxyScope.choices, default=ProxyScope.PLAN)
    valid_until = models.DateField()
    child_agreed = models.BooleanField(default=False)
    child_agreed_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(Professional, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    frozen_at = models.DateTimeField(null=True, blank=True)
    frozen_by = models.ForeignKey(Professional, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(Professional, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "proxy accesses"
        indexes = [models.Index(fields=["proxy_user", "person"], name="proxy_user_person_idx")]

    def __str__(self) -> str:
        return f"proxy {self.proxy_user_id} for {self.person_id}"


class GlossaryTerm(models.Model):
    """A piece of professional jargon and a plain alternative, flagged when a professional
    writes a plain summary or plain title (cases.plainwords). Editable by admins."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    term = models.CharField(max_length=100, unique=True)
    plain = models.CharField(max_length=300, help_text="What to say instead")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["term"]

    def __str__(self) -> str:
        return self.term
