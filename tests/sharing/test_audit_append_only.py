"""The audit table is append-only: on PostgreSQL a trigger refuses UPDATE and DELETE."""

import pytest
from django.db import DatabaseError, connection, transaction

from audit.models import AuditEvent
from audit.services import audit_record

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")


def test_update_of_an_audit_event_is_refused(db):
    event = audit_record(action="cases.record.viewed")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="cases.record.forged")
    event.refresh_from_db()
    assert event.action == "cases.record.viewed"


def test_delete_of_an_audit_event_is_refused(db):
    event = audit_record(action="cases.record.viewed")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_raw_sql_update_is_refused_too(db):
    event = audit_record(action="cases.record.viewed")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET basis = 'consent' WHERE id = %s", [event.pk])
