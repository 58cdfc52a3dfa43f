"""On PostgreSQL the web and worker processes connect as a runtime role that may only
INSERT and SELECT the audit table (migrations run as the owner): it cannot DISABLE
TRIGGER, UPDATE, DELETE or TRUNCATE it, and the application still works as it."""

import psycopg2
import psycopg2.errors
import pytest
from django.core.management import call_command
from django.db import connection

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="roles exist on PostgreSQL only"),
    pytest.mark.django_db(transaction=True),
]

PASSWORD = "runtime-role-test-only"


@pytest.fixture
def runtime():
    """A connection as a runtime role made for this test database (roles are cluster-wide,
    so the name carries the database's), dropped afterwards."""
    settings = connection.settings_dict
    role = f"{settings['NAME']}_runtime"[:60]
    call_command("audit_grant_runtime_role", role, "--password", PASSWORD)
    conn = psycopg2.connect(
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
        dbname=settings["NAME"],
        user=role,
        password=PASSWORD,
    )
    conn.autocommit = True
    cursor = conn.cursor()
    yield cursor
    conn.close()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP OWNED BY {connection.ops.quote_name(role)}")
        cursor.execute(f"DROP ROLE {connection.ops.quote_name(role)}")


def test_the_runtime_role_inserts_and_selects_audit_events(runtime):
    runtime.execute(
        "INSERT INTO audit_auditevent (at, action, actor_name, subject_type, basis, detail) "
        "VALUES (now(), 'cases.record.viewed', 'runtime', '', '', '{}')"
    )
    runtime.execute("SELECT count(*) FROM audit_auditevent WHERE actor_name = 'runtime'")
    assert runtime.fetchone()[0] == 1


@pytest.mark.parametrize(
    "statement",
    [
        "ALTER TABLE audit_auditevent DISABLE TRIGGER audit_auditevent_append_only",
        "ALTER TABLE audit_auditevent DISABLE TRIGGER ALL",
        "UPDATE audit_auditevent SET basis = 'consent'",
        "DELETE FROM audit_auditevent",
        "TRUNCATE audit_auditevent",
        "UPDATE audit_auditseal SET digest = ''",
        "TRUNCATE audit_auditseal",
        "DROP TABLE audit_auditevent",
    ],
)
def test_the_runtime_role_cannot_change_or_empty_the_audit_trail(runtime, statement):
    with pytest.raises(psycopg2.errors.InsufficientPrivilege):
        runtime.execute(statement)


def test_the_runtime_role_writes_the_applications_other_tables(runtime):
    runtime.execute(
        "INSERT INTO agencies_agency (id, name, kind, created_at) VALUES (gen_random_uuid(), 'R', 'other', now())"
    )
    runtime.execute("UPDATE agencies_agency SET name = 'Renamed' WHERE name = 'R'")
    runtime.execute("DELETE FROM agencies_agency WHERE name = 'Renamed'")


def _this_month_partition():
    with connection.cursor() as cursor:
        cursor.execute("SELECT audit_partition_name(date_trunc('month', now() AT TIME ZONE 'UTC')::date)")
        return cursor.fetchone()[0]


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE {p} SET basis = 'consent'",
        "DELETE FROM {p}",
        "TRUNCATE {p}",
        "ALTER TABLE {p} DISABLE TRIGGER audit_auditevent_append_only",
        "ALTER TABLE {p} DISABLE TRIGGER ALL",
        "ALTER TABLE audit_auditevent DETACH PARTITION {p}",
        "DROP TABLE {p}",
        "SELECT count(*) FROM {p}",
        "INSERT INTO {p} (at, action, actor_name, subject_type, basis, detail) "
        "VALUES (now(), 'x', 'runtime', '', '', '{{}}')",
        "UPDATE audit_auditevent_default SET basis = 'consent'",
        "TRUNCATE audit_auditevent_default",
        "ALTER TABLE audit_auditevent_default DISABLE TRIGGER ALL",
        "UPDATE audit_auditarchive SET events = 0",
        "TRUNCATE audit_auditarchive",
        "SELECT audit_make_partition('2019-01-01')",
    ],
)
def test_the_runtime_role_cannot_touch_a_month_partition_directly(runtime, statement):
    with pytest.raises(psycopg2.errors.InsufficientPrivilege):
        runtime.execute(statement.format(p=_this_month_partition()))


def test_partitions_the_runtime_role_makes_ahead_give_it_no_privileges_either(runtime):
    """Beat's task runs as the runtime role: the partitions it makes (through the owner's
    function) are the owner's, with no grant to the runtime role, whatever default privileges say."""
    runtime.execute("SELECT audit_make_partitions(6)")
    made = [row[0] for row in runtime.fetchall()]
    assert made, "the months 4 to 6 ahead did not exist yet"
    for name in made:
        for statement in (f"TRUNCATE {name}", f"DELETE FROM {name}", f"ALTER TABLE {name} DISABLE TRIGGER ALL"):
            with pytest.raises(psycopg2.errors.InsufficientPrivilege):
                runtime.execute(statement)
    runtime.execute(  # and writing through the parent still works
        "INSERT INTO audit_auditevent (at, action, actor_name, subject_type, basis, detail) "
        "VALUES (now(), 'cases.record.viewed', 'runtime', '', '', '{}')"
    )
    with connection.cursor() as cursor:
        for name in made:
            cursor.execute(f"DROP TABLE {name}")


def test_the_runtime_role_cannot_retire_a_month_inside_the_retention(runtime):
    with pytest.raises(psycopg2.errors.RaiseException, match="not older than the retention"):
        runtime.execute("SELECT audit_retire_partition(%s, 0)", [_this_month_partition()])


def test_the_runtime_role_retires_a_month_past_the_retention_through_the_owners_function(runtime):
    with connection.cursor() as cursor:
        cursor.execute("SELECT audit_make_partition('2001-02-01')")
        for _ in range(2):
            cursor.execute(
                "INSERT INTO audit_auditevent (at, action, actor_name, subject_type, basis, detail) "
                "VALUES ('2001-02-10T09:00:00Z', 'cases.record.viewed', 'old', '', '', '{}')"
            )
    with pytest.raises(psycopg2.errors.RaiseException, match="holds 2 events, 1 were exported"):
        runtime.execute("SELECT audit_retire_partition('audit_auditevent_p2001_02', 1)")
    runtime.execute("SELECT audit_retire_partition('audit_auditevent_p2001_02', 2)")
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('audit_auditevent_p2001_02')")
        assert cursor.fetchone()[0] is None
