"""The trail API's events are written as DRF's own fields would write them: the serializer's
direct `to_representation` (issue 9: DRF's walk over the fields was most of a page's CPU)
gives the same JSON as DRF's generic one, for every field set or empty."""

import uuid

import pytest
from rest_framework import serializers

from audit.models import AuditEvent
from audit.services import audit_record
from sharing.api.audit import AuditEventSerializer

pytestmark = pytest.mark.django_db


def test_the_trail_api_writes_each_event_as_drf_would(world):
    full = audit_record(
        action="cases.record.viewed",
        actor=world.sam.user,
        person=world.maya.pk,
        case=world.case.pk,
        subject_type="record",
        subject_id=uuid.uuid4(),
        subject_agency=world.social.pk,
        basis="consent",
    )
    bare = audit_record(action="system.started")
    for event in AuditEvent.objects.filter(pk__in=[full.pk, bare.pk]):
        event.ip = "2001:db8::1" if event.pk == full.pk else None
        ser = AuditEventSerializer()
        assert ser.to_representation(event) == serializers.Serializer.to_representation(ser, event)
    assert ser.to_representation(event)["action_label"]
