"""Retention without DELETE: on PostgreSQL the audit events live in monthly partitions,
made ahead by beat; months older than AUDIT_RETENTION_MONTHS are exported, detached and
dropped, and the trail still verifies. SQLite keeps one table. Seals never cross a UTC
month boundary on either database."""

import csv
import datetime
import gzip
import hashlib
import io

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from audit.models import AuditArchive, AuditEvent, AuditSeal
from audit.partitions import (
    partitioned,
    partitions_attached,
    partitions_due,
    partitions_make_ahead,
    partitions_retire,
    retention_horizon,
)
from audit.seal import month_start_after, seal, verify
from audit.services import audit_record

pytestmark = pytest.mark.django_db
UTC = datetime.UTC
on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="partitions exist on PostgreSQL only")
LATER = datetime.timedelta(seconds=settings.AUDIT_SEAL_DELAY_SECONDS + 5)


def month(d: datetime.date) -> str:
    return f"audit_auditevent_p{d:%Y_%m}"


def this_month() -> datetime.date:
    return timezone.now().astimezone(UTC).date().replace(day=1)


def add_months(d: datetime.date, n: int) -> datetime.date:
    index = d.year * 12 + d.month - 1 + n
    return datetime.date(index // 12, index % 12 + 1, 1)


def insert_at(at: datetime.datetime, n: int = 1, action: str = "cases.record.viewed") -> None:
    """Back-dated events, as only the owner's SQL could write them (auto_now_add stamps now)."""
    with connection.cursor() as cursor:
        for i in range(n):
            cursor.execute(
                "INSERT INTO audit_auditevent (at, action, actor_name, subject_type, basis, detail) "
                "VALUES (%s, %s, 'old reader', '', '', %s)",
                [at + datetime.timedelta(seconds=i), action, f'{{"i": {i}}}'],
            )


def make_partition(first: datetime.date) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT audit_make_partition(%s)", [first])


def test_sqlite_keeps_one_table_and_retires_nothing():
    if connection.vendor == "postgresql":
        pytest.skip("SQLite only")
    assert not partitioned()
    assert partitions_make_ahead() == [] and partitions_retire() == [] and partitions_attached() == []
    call_command("audit_partitions")


@on_postgresql
def test_events_live_in_monthly_partitions_with_the_partition_key_in_the_primary_key():
    with connection.cursor() as cursor:
        cursor.execute("SELECT partstrat FROM pg_partitioned_table WHERE partrelid = 'audit_auditevent'::regclass")
        assert cursor.fetchone() == ("r",)
        cursor.execute(
            "SELECT array_agg(a.attname ORDER BY a.attname) FROM pg_index i "
            "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
            "WHERE i.indrelid = 'audit_auditevent'::regclass AND i.indisprimary"
        )
        assert cursor.fetchone()[0] == ["at", "id"]
    names = {p.name for p in partitions_attached()}
    assert {month(this_month()), month(add_months(this_month(), 1))} <= names  # made by the migration
    event = audit_record(action="cases.record.viewed")
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM audit_auditevent WHERE id = %s", [event.pk])
        assert cursor.fetchone()[0] == month(this_month())


@on_postgresql
def test_a_month_without_a_partition_lands_in_the_default_partition_and_is_still_sealed():
    far = datetime.datetime(2031, 7, 9, tzinfo=UTC)
    insert_at(far)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM audit_auditevent_default")
        assert cursor.fetchone()[0] == 1
    make_partition(far.date())  # refused (with a warning): the default holds that month's event
    assert month(far.date()) not in {p.name for p in partitions_attached()}


@on_postgresql
def test_beat_makes_the_coming_months_partitions_ahead_each_with_the_indexes_and_the_trigger():
    made = partitions_make_ahead(months_ahead=5)
    expected = [month(add_months(this_month(), i)) for i in range(6)]
    assert set(made) <= set(expected) and expected[-1] in made
    assert partitions_make_ahead(months_ahead=5) == []  # already there
    newest = expected[-1]
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s", [newest])
        defs = " ".join(r[0] for r in cursor.fetchall())
        for columns in ("(person, at, id)", '("case", at, id)', "(actor, at, id)", "(id, at)", "(at)"):
            assert columns in defs, columns
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal AND tgenabled = 'O'",
            [newest],
        )
        assert cursor.fetchall() == [("audit_auditevent_append_only",)]
        cursor.execute(  # reached through the parent only: no privileges of its own but the owner's
            "SELECT count(*) FROM pg_class c, aclexplode(c.relacl) a WHERE c.relname = %s AND a.grantee <> c.relowner",
            [newest],
        )
        assert cursor.fetchone()[0] == 0
    with pytest.raises(Exception, match="between 0 and 24"), connection.cursor() as cursor:
        cursor.execute("SELECT audit_make_partitions(100)")


@on_postgresql
def test_the_append_only_trigger_holds_on_a_partition_reached_directly():
    event = audit_record(action="cases.record.viewed")
    with pytest.raises(Exception, match="append-only"), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {month(this_month())} SET basis = 'consent' WHERE id = %s", [event.pk])


def test_seals_never_cross_a_utc_month_boundary():
    boundary = month_start_after(timezone.now() - datetime.timedelta(days=40))
    insert_at(boundary - datetime.timedelta(hours=1), n=2)
    insert_at(boundary + datetime.timedelta(hours=1), n=3)
    seal(now=timezone.now() + LATER)
    seals = list(AuditSeal.objects.order_by("id"))
    assert boundary in [s.sealed_until for s in seals]
    for s in seals:
        start = s.sealed_from or (boundary - datetime.timedelta(hours=1))
        assert s.sealed_until <= month_start_after(start), s
    assert sum(s.events for s in seals) == AuditEvent.objects.count()
    assert verify().ok


# --- Retirement ------------------------------------------------------------------------------


@pytest.fixture
def expired_month():
    """A month older than AUDIT_RETENTION_MONTHS with 4 events, this month with 2, all sealed."""
    old = add_months(retention_horizon(), -2)
    make_partition(old)
    insert_at(datetime.datetime(old.year, old.month, 15, 9, tzinfo=UTC), n=4)
    recent = [audit_record(action="cases.person.viewed") for _ in range(2)]
    seal(now=timezone.now() + LATER)
    assert AuditSeal.objects.order_by("-id").first().sealed_until > recent[-1].at
    return old


@on_postgresql
def test_a_month_past_retention_is_exported_detached_and_the_trail_still_verifies(expired_month, tmp_path):
    assert [p.name for p in partitions_due()] == [month(expired_month)]
    made = partitions_retire(directory=tmp_path)
    assert [a.partition for a in made] == [month(expired_month)]
    archive = AuditArchive.objects.get()
    assert (archive.month, archive.events) == (expired_month, 4)
    data = (tmp_path / f"{month(expired_month)}.csv.gz").read_bytes()
    assert hashlib.sha256(data).hexdigest() == archive.sha256
    rows = list(csv.reader(io.StringIO(gzip.decompress(data).decode())))
    assert rows[0][:3] == ["id", "at", "action"] and len(rows) == 5
    assert all(r[5] == "old reader" for r in rows[1:])
    assert month(expired_month) not in {p.name for p in partitions_attached()}
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [month(expired_month)])
        assert cursor.fetchone()[0] is None  # dropped whole, not emptied row by row
    assert AuditEvent.objects.count() == 2
    result = verify()
    assert result.ok, result.problem
    assert result.events == 2  # the seals of the retired month are checked by their chain only
    call_command("audit_verify")
    assert partitions_retire(directory=tmp_path) == []  # nothing more due


@on_postgresql
def test_a_month_detached_without_its_archive_record_breaks_the_trail(expired_month):
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE audit_auditevent DETACH PARTITION {month(expired_month)}")
    first = AuditSeal.objects.order_by("id").first()
    assert verify().first_broken_seal == first.pk
    with pytest.raises(CommandError):
        call_command("audit_verify")


@on_postgresql
def test_an_archive_record_made_without_the_key_breaks_the_trail(expired_month, tmp_path):
    partitions_retire(directory=tmp_path)
    AuditArchive.objects.create(
        month=add_months(expired_month, 1), partition="x", events=0, sha256="0" * 64, path="x", digest="f" * 64
    )
    result = verify()
    assert not result.ok and "not made with the key" in result.problem


@on_postgresql
def test_a_month_not_all_sealed_is_not_retired(tmp_path):
    old = add_months(retention_horizon(), -2)
    make_partition(old)
    insert_at(datetime.datetime(old.year, old.month, 15, 9, tzinfo=UTC))
    assert partitions_retire(directory=tmp_path) == []
    assert month(old) in {p.name for p in partitions_attached()}


@on_postgresql
def test_the_database_refuses_to_retire_a_month_younger_than_the_retention_floor():
    with pytest.raises(Exception, match="not older than the retention"), connection.cursor() as cursor:
        cursor.execute("SELECT audit_retire_partition(%s, 0)", [month(this_month())])


@on_postgresql
def test_the_database_refuses_to_retire_a_partition_whose_rows_were_not_all_exported(expired_month):
    with pytest.raises(Exception, match="holds 4 events, 3 were exported"), connection.cursor() as cursor:
        cursor.execute("SELECT audit_retire_partition(%s, 3)", [month(expired_month)])


def test_beat_runs_the_partition_task_daily():
    from celery import current_app
    from celery.schedules import crontab

    entry = settings.CELERY_BEAT_SCHEDULE["audit-partitions"]
    assert entry["task"] == "audit.tasks.audit_partitions"
    assert isinstance(entry["schedule"], crontab) and len(entry["schedule"].hour) == 1
    current_app.loader.import_default_modules()
    assert "audit.tasks.audit_partitions" in current_app.tasks


# --- Re-verifying an exported month ----------------------------------------------------------


def rewrite(path, change):
    """The archive file with its rows (header aside) passed through `change`, gzip CSV again."""
    rows = list(csv.reader(io.StringIO(gzip.decompress(path.read_bytes()).decode(), newline="")))
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\n").writerows([rows[0], *change(rows[1:])])
    path.write_bytes(gzip.compress(out.getvalue().encode()))


@pytest.fixture
def archived(expired_month, tmp_path):
    partitions_retire(directory=tmp_path)
    return tmp_path / f"{month(expired_month)}.csv.gz"


@on_postgresql
def test_an_exported_month_re_verifies_with_the_key(archived, capsys):
    call_command("audit_verify_archive", str(archived))
    assert "intact, 4 events in 1 seals" in capsys.readouterr().out


@on_postgresql
def test_a_row_changed_in_the_export_names_its_seal_and_lines(archived):
    seal_id = AuditSeal.objects.order_by("id").first().pk
    rewrite(archived, lambda rows: [rows[0], [*rows[1][:5], "someone else", *rows[1][6:]], *rows[2:]])
    with pytest.raises(CommandError, match=rf"seal {seal_id} .*lines 2–5\): a row in its window was changed"):
        call_command("audit_verify_archive", str(archived))


@on_postgresql
def test_a_row_removed_from_the_export_is_named(archived):
    rewrite(archived, lambda rows: rows[:2] + rows[3:])
    with pytest.raises(CommandError, match="3 rows in the file, 4 sealed") as raised:
        call_command("audit_verify_archive", str(archived))
    assert "SHA-256 differs" in str(raised.value)


@on_postgresql
def test_a_row_added_to_the_export_is_named(archived):
    rewrite(archived, lambda rows: [*rows, [str(int(rows[-1][0]) + 1000), *rows[-1][1:]]])
    with pytest.raises(CommandError, match="5 rows in the file, 4 sealed"):
        call_command("audit_verify_archive", str(archived))


@on_postgresql
def test_a_file_that_is_no_export_is_refused(tmp_path, expired_month):
    stray = tmp_path / "notes.csv.gz"
    stray.write_bytes(gzip.compress(b"id,at\n1,2\n"))
    with pytest.raises(CommandError, match="no archive record for notes.csv.gz"):
        call_command("audit_verify_archive", str(stray), str(tmp_path / "missing.csv.gz"))
