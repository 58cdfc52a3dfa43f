"""Migration audit 0005 converts the existing one-table trail into monthly partitions on
PostgreSQL: every event kept with its id, each in its month's partition, the sequence
continued, the seals still verifying; and it converts back."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from audit.seal import verify

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="partitions exist on PostgreSQL only"),
    pytest.mark.django_db(transaction=True),
]
BEFORE = [("audit", "0004_seals_append_only")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def _latest():
    executor = MigrationExecutor(connection)
    return [key for key in executor.loader.graph.leaf_nodes() if key[0] == "audit"]


def _partitioned(cursor):
    cursor.execute("SELECT count(*) FROM pg_partitioned_table WHERE partrelid = 'audit_auditevent'::regclass")
    return cursor.fetchone()[0] == 1


def test_existing_events_move_into_their_months_partitions_with_their_ids():
    latest = _latest()
    _migrate(BEFORE)
    now = timezone.now()
    months_ago = now - datetime.timedelta(days=70)
    try:
        with connection.cursor() as cursor:
            assert not _partitioned(cursor)
            ids = []
            for at in (months_ago, months_ago + datetime.timedelta(seconds=1), now - datetime.timedelta(minutes=5)):
                cursor.execute(
                    "INSERT INTO audit_auditevent (at, action, actor_name, subject_type, basis, detail) "
                    "VALUES (%s, 'cases.record.viewed', 'before', '', '', '{}') RETURNING id",
                    [at],
                )
                ids.append(cursor.fetchone()[0])
        from audit.seal import seal

        _migrate(latest)
        seal(now=now)
        with connection.cursor() as cursor:
            assert _partitioned(cursor)
            cursor.execute("SELECT id, tableoid::regclass::text FROM audit_auditevent ORDER BY id")
            placed = cursor.fetchall()
            assert [row[0] for row in placed] == ids
            assert placed[0][1] == f"audit_auditevent_p{months_ago.astimezone(datetime.UTC):%Y_%m}"
            assert placed[2][1] == f"audit_auditevent_p{now.astimezone(datetime.UTC):%Y_%m}"
            cursor.execute(
                "INSERT INTO audit_auditevent (at, action, actor_name, subject_type, basis, detail) "
                "VALUES (now(), 'cases.record.viewed', 'after', '', '', '{}') RETURNING id"
            )
            assert cursor.fetchone()[0] > ids[-1]
        assert verify().ok
        _migrate(BEFORE)  # and back to one table, the same rows
        with connection.cursor() as cursor:
            assert not _partitioned(cursor)
            cursor.execute("SELECT count(*) FROM audit_auditevent")
            assert cursor.fetchone()[0] == 4
    finally:
        _migrate(latest)
