"""Retention without DELETE: on PostgreSQL the audit events live in monthly partitions
(UTC months, migration 0005); beat's daily `audit_partitions` task makes the coming
months' partitions ahead and retires every month older than AUDIT_RETENTION_MONTHS:
its events are exported (gzip CSV under AUDIT_ARCHIVE_DIR, every column, in (at, id)
order), an AuditArchive record keyed with AUDIT_SEAL_KEY notes the file's row count
and SHA-256, and the partition is detached and dropped in the same transaction, never
deleted row by row. SQLite (the embedded mode) keeps one table and retires nothing.

The partition DDL runs in SQL functions owned by the tables' owner (SECURITY DEFINER),
so the runtime role, which may only INSERT and SELECT the audit tables, can make
partitions ahead and retire a month only once it is older than the floor the owner
set (`audit_retention_months()`), never a younger one (docs/decisions/0043).

Floor 1: knows nothing of ours. May use: Django only.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import os
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from audit.models import AuditArchive, AuditSeal
from audit.seal import FIELDS, archive_digest, month_start_after

log = logging.getLogger(__name__)

PARTITION = re.compile(r"^audit_auditevent_p(\d{4})_(\d{2})$")
DEFAULT_PARTITION = "audit_auditevent_default"


def partitioned() -> bool:
    """True where the events are partitioned (PostgreSQL after migration 0005)."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_partitioned_table WHERE partrelid = to_regclass('audit_auditevent')")
        return cursor.fetchone() is not None


@dataclass(frozen=True)
class Partition:
    name: str
    month: date  # first day of its UTC month

    @property
    def start(self) -> datetime:
        return datetime(self.month.year, self.month.month, 1, tzinfo=UTC)

    @property
    def end(self) -> datetime:
        return month_start_after(self.start)


def partitions_attached() -> list[Partition]:
    """The month partitions attached now, oldest first (the default partition aside)."""
    if not partitioned():
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = 'audit_auditevent'::regclass"
        )
        names = [row[0] for row in cursor.fetchall()]
    found = []
    for name in names:
        match = PARTITION.match(name)
        if match:
            found.append(Partition(name, date(int(match[1]), int(match[2]), 1)))
    return sorted(found, key=lambda p: p.month)


def partitions_make_ahead(*, months_ahead: int | None = None) -> list[str]:
    """Make the partitions of this month and the next `months_ahead` (AUDIT_PARTITIONS_AHEAD)
    that do not exist yet; their names. Empty future partitions cost nothing, and events
    never wait for one: a month with no partition lands in the default partition."""
    if not partitioned():
        return []
    ahead = settings.AUDIT_PARTITIONS_AHEAD if months_ahead is None else months_ahead
    with connection.cursor() as cursor:
        cursor.execute("SELECT audit_make_partitions(%s)", [ahead])
        return [row[0] for row in cursor.fetchall()]


def retention_horizon(*, now: datetime | None = None, months: int | None = None) -> date:
    """The first month kept: every month before it is due for retirement."""
    months = settings.AUDIT_RETENTION_MONTHS if months is None else months
    today = (now or timezone.now()).astimezone(UTC).date()
    index = today.year * 12 + today.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def retention_floor_sql(months: int) -> str:
    """The owner's retention floor, which `audit_retire_partition` enforces whoever calls it
    (set by migration 0005 and by `audit_grant_runtime_role`, both run as the owner)."""
    return (
        "CREATE OR REPLACE FUNCTION audit_retention_months() RETURNS int LANGUAGE sql IMMUTABLE "
        f"AS $$ SELECT {int(months)} $$"
    )


def partitions_due(*, now: datetime | None = None) -> list[Partition]:
    return [p for p in partitions_attached() if p.month < retention_horizon(now=now)]


def _export(partition: Partition, directory: Path) -> tuple[Path, int, str]:
    """Every event of the month, every column, (at, id) order, as gzip CSV with a header;
    written beside its final name and renamed once complete. Read through the parent
    table (the runtime role may read nothing else)."""
    directory.mkdir(parents=True, exist_ok=True)
    final = directory / f"{partition.name}.csv.gz"
    partial = directory / f".{partition.name}.csv.gz.partial"
    columns = ", ".join(connection.ops.quote_name(f) for f in FIELDS)
    select = f"SELECT {columns} FROM audit_auditevent WHERE at >= %s AND at < %s ORDER BY at, id"  # noqa: S608
    query = f"COPY ({select}) TO STDOUT WITH (FORMAT csv, HEADER)"
    with connection.cursor() as cursor:
        sql = cursor.mogrify(query, [partition.start, partition.end]).decode()
        with gzip.open(partial, "wb") as out:
            cursor.copy_expert(sql, out)
    lines = 0
    with gzip.open(partial, "rb") as check:
        for _line in check:
            lines += 1
    sha256 = hashlib.sha256()
    with open(partial, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            sha256.update(chunk)
        os.fsync(f.fileno())
    digest = sha256.hexdigest()
    partial.replace(final)
    return final, max(0, lines - 1), digest


def partitions_retire(*, now: datetime | None = None, directory: Path | None = None) -> list[AuditArchive]:
    """Retire every month older than AUDIT_RETENTION_MONTHS, oldest first: export, record,
    detach and drop. A month whose events are not all sealed yet waits (it cannot be, at
    96 months, unless sealing stopped); so does every month after it, so the archived
    months always follow one another."""
    if not partitioned():
        return []
    directory = directory or Path(settings.AUDIT_ARCHIVE_DIR)
    last_seal = AuditSeal.objects.order_by("-id").first()
    made = []
    for partition in partitions_due(now=now):
        if last_seal is None or last_seal.sealed_until < partition.end:
            log.warning("audit: %s not retired, its events are not all sealed yet", partition.name)
            break
        path, rows, sha256 = _export(partition, directory)
        with transaction.atomic():
            archive = AuditArchive.objects.create(
                month=partition.month,
                partition=partition.name,
                events=rows,
                sha256=sha256,
                path=str(path),
                digest=archive_digest(month=partition.month, partition=partition.name, events=rows, sha256=sha256),
            )
            with connection.cursor() as cursor:
                cursor.execute("SELECT audit_retire_partition(%s, %s)", [partition.name, rows])
        log.info("audit: %s retired, %s events exported", partition.name, rows)
        made.append(archive)
    return made
