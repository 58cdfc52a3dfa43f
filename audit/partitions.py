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

import csv
import gzip
import hashlib
import hmac
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
from audit.seal import FIELDS, archive_digest, detail_text, month_start_after, window_mac

log = logging.getLogger(__name__)

PARTITION = re.compile(r"^audit_auditevent_p(\d{4})_(\d{2})$")
DEFAULT_PARTITION = "audit_auditevent_default"
PARTITION_OF_FILE = re.compile(r"\.csv\.gz$")


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


# --- Re-verifying an exported month ---------------------------------------------------------


@dataclass
class ArchiveCheck:
    ok: bool
    rows: int
    seals: int
    problems: list[str]


def _csv_line(row: list[str]) -> bytes:
    """The canonical bytes `audit.seal` digests, from one row of an export (COPY's CSV: every
    column as PostgreSQL writes it, '' for NULL; the time in the session's zone, UTC)."""
    values = row[:-1]
    values[1] = datetime.fromisoformat(values[1]).astimezone(UTC).isoformat()
    return ("\x1f".join(values) + "\x1f" + detail_text(row[-1] or None) + "\x1e").encode()


def archive_verify(path: Path) -> ArchiveCheck:
    """Recompute, with the key, what an exported month (`_export`) must give: the file's SHA-256
    and row count against its keyed archive record, and each seal of the month from the file's
    rows (the seals stay in the database when the month is retired). A row changed breaks the
    digest of the seal whose window holds it; a row removed or added, that seal's count; each
    problem names the seal, its window and the file's lines it covers."""
    problems: list[str] = []
    archive = AuditArchive.objects.filter(partition=PARTITION_OF_FILE.sub("", path.name)).first()
    if archive is None:
        return ArchiveCheck(False, 0, 0, [f"no archive record for {path.name}"])
    expected = archive_digest(
        month=archive.month, partition=archive.partition, events=archive.events, sha256=archive.sha256
    )
    if not hmac.compare_digest(expected, archive.digest):
        problems.append(f"the archive record of {archive.month:%Y-%m} was not made with the key")
    sha256 = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            sha256.update(block)
    if sha256.hexdigest() != archive.sha256:
        problems.append("the file is not the one exported: its SHA-256 differs from the archive record's")
    start = datetime(archive.month.year, archive.month.month, 1, tzinfo=UTC)
    end = month_start_after(start)
    seals = list(AuditSeal.objects.filter(sealed_until__gt=start, sealed_until__lte=end).order_by("id"))
    rows = 0
    with gzip.open(path, "rt", newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        if next(reader, None) != FIELDS:
            return ArchiveCheck(False, 0, len(seals), [*problems, "the file's header is not the export's columns"])
        lines = enumerate(reader, start=2)
        pending: tuple[int, list[str]] | None = next(lines, None)
        for s in seals:
            mac = window_mac(s.previous_digest, s.sealed_from, s.sealed_until)
            count, first_line, last_line = 0, None, None
            while pending is not None and datetime.fromisoformat(pending[1][1]) < s.sealed_until:
                line_no, row = pending
                at = datetime.fromisoformat(row[1])
                if s.sealed_from is not None and at < s.sealed_from:
                    problems.append(f"line {line_no} (event {row[0]}) lies before seal {s.pk}'s window: out of order")
                mac.update(_csv_line(row))
                count += 1
                first_line = first_line or line_no
                last_line = line_no
                pending = next(lines, None)
            rows += count
            mac.update(f"|{count}".encode())
            where = f"seal {s.pk} ({s.sealed_from or 'the start'} to {s.sealed_until}"
            where += f", lines {first_line}–{last_line})" if first_line else ", no lines)"
            if count != s.events:
                problems.append(f"{where}: {count} rows in the file, {s.events} sealed (a row removed or added)")
            elif not hmac.compare_digest(mac.hexdigest(), s.digest):
                problems.append(f"{where}: a row in its window was changed")
        while pending is not None:
            problems.append(f"line {pending[0]} (event {pending[1][0]}) lies in no seal's window of the month")
            rows += 1
            pending = next(lines, None)
    if not seals:
        problems.append(f"no seal of {archive.month:%Y-%m} in the database")
    if rows != archive.events:
        problems.append(f"{rows} rows in the file, {archive.events} in the archive record")
    return ArchiveCheck(not problems, rows, len(seals), problems)
