"""Floor 1, audit: the append-only event store. Knows nothing of ours: an event
names people, cases and subjects by UUID and type, never by foreign key, so no
cascade can ever delete one.

May use: Django only.
"""

from django.db import models


class AuditBasis(models.TextChoices):
    OWN_AGENCY = "own_agency", "Own agency"
    COORDINATION = "coordination", "Coordination (general plan)"
    CONSENT = "consent", "Consent"
    OVERRIDE = "override", "Safeguarding override"
    CASE_TEAM = "case_team", "Case team"
    ADMIN = "admin", "Administrator"
    SELF = "self", "The person themself"
    NONE = "", "None"


class AuditEvent(models.Model):
    """One thing that happened. Append-only: on PostgreSQL a trigger refuses
    UPDATE and DELETE, and no code path changes an event."""

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    action = models.CharField(max_length=80, db_index=True)  # dotted: cases.record.viewed
    actor_user_id = models.IntegerField(null=True, blank=True)
    actor = models.UUIDField(null=True, blank=True)  # professional id; null for service users/system
    actor_name = models.CharField(max_length=200, blank=True)
    actor_agency = models.UUIDField(null=True, blank=True, db_index=True)
    person = models.UUIDField(null=True, blank=True)
    case = models.UUIDField(null=True, blank=True)
    subject_type = models.CharField(max_length=40, blank=True)
    subject_id = models.UUIDField(null=True, blank=True)
    subject_agency = models.UUIDField(
        null=True, blank=True, db_index=True, help_text="The agency that wrote the record read, if any."
    )
    basis = models.CharField(max_length=20, choices=AuditBasis.choices, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)  # identifiers and codes only, never case content

    class Meta:
        ordering = ["-at", "-id"]
        # The trail's filtered first pages (by person, case, acting professional; the person's
        # access log) walk one of these backwards, newest first, in every monthly partition; the
        # agencies an IG lead's visibility tests ride along (PostgreSQL: INCLUDE), so counting a
        # filtered trail reads the index only.
        indexes = [
            models.Index(
                fields=["person", "at", "id"], include=["actor_agency", "subject_agency"], name="audit_person_at"
            ),
            models.Index(fields=["case", "at", "id"], include=["actor_agency", "subject_agency"], name="audit_case_at"),
            models.Index(
                fields=["actor", "at", "id"], include=["actor_agency", "subject_agency"], name="audit_actor_at"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"


class AuditSeal(models.Model):
    """One link of the chain of digests over the trail: every event with
    `sealed_from <= at < sealed_until`, in (at, id) order, digested with the key from
    AUDIT_SEAL_KEY (never stored in the database) and chained to the previous seal's
    digest. Any UPDATE, DELETE, TRUNCATE or back-dated INSERT into a sealed window
    changes what `audit.seal.verify` recomputes. Append-only like the events."""

    id = models.BigAutoField(primary_key=True)
    sealed_at = models.DateTimeField()
    sealed_from = models.DateTimeField(null=True, blank=True)  # null: from the first event
    sealed_until = models.DateTimeField(unique=True)
    events = models.PositiveIntegerField()
    previous_digest = models.CharField(max_length=64, blank=True)
    digest = models.CharField(max_length=64)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"seal {self.pk} until {self.sealed_until:%Y-%m-%d %H:%M:%S}"


class AuditVerification(models.Model):
    """The result of one `audit_verify` run, shown on the information-governance pages."""

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(auto_now_add=True)
    ok = models.BooleanField()
    seals = models.PositiveIntegerField()
    events = models.PositiveBigIntegerField()
    first_broken_seal = models.BigIntegerField(null=True, blank=True)
    problem = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]


class AuditArchive(models.Model):
    """One month of events retired from the database (PostgreSQL): its partition was
    exported to `path` (gzip CSV; `events` rows, `sha256` of the file), then detached and
    dropped, never deleted row by row. `digest` is keyed with AUDIT_SEAL_KEY, so an archive
    record the key holder did not make does not verify; `audit.seal.verify` checks the
    seals of archived months by their chain only (docs/decisions/0044). Append-only."""

    id = models.BigAutoField(primary_key=True)
    month = models.DateField(unique=True)  # first day of the UTC month
    partition = models.CharField(max_length=63)
    events = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    path = models.CharField(max_length=500)
    archived_at = models.DateTimeField(auto_now_add=True)
    digest = models.CharField(max_length=64)

    class Meta:
        ordering = ["month"]

    def __str__(self) -> str:
        return f"archive of {self.month:%Y-%m} ({self.events} events)"
