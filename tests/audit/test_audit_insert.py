"""audit_record_many writes its events with one hand-built INSERT per batch (audit.services._insert):
what it stores must be what the ORM stores, every field, and a long list read (more rows than
SQLite takes parameters in one statement) must be audited whole."""

import uuid

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import audit_record_many


@pytest.mark.django_db
def test_each_field_is_stored_as_the_orm_stores_it(admin_user):
    person, case, subject = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    before = timezone.now()
    audit_record_many(
        [
            {
                "action": "cases.record.listed",
                "person": person,
                "case": case,
                "subject_type": "record",
                "subject_id": subject,
                "basis": "consent",
                "detail": {"override": "x", "n": 2},
            }
        ],
        actor=admin_user,
    )
    event = AuditEvent.objects.get(subject_id=subject)
    assert (event.action, event.person, event.case, event.basis) == ("cases.record.listed", person, case, "consent")
    assert event.detail == {"override": "x", "n": 2}
    assert event.actor_user_id == admin_user.pk
    assert before <= event.at <= timezone.now()
    assert event.ip is None


@pytest.mark.django_db
def test_a_long_list_read_is_audited_whole(admin_user):
    case = uuid.uuid4()
    audit_record_many(
        ({"action": "cases.person.listed", "case": case, "person": uuid.uuid4()} for _ in range(2600)),
        actor=admin_user,
    )
    assert AuditEvent.objects.filter(case=case).count() == 2600
    assert AuditEvent.objects.filter(case=case).values("person").distinct().count() == 2600
