"""Shapes of the meetings API. Input serializers check types and resolve ids; every rule
(team membership, chair != note-taker, times, sealed views) stays in meetings.services.

Floor 6.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from agencies.api.base import BoundedDateField
from agencies.api.serializers import ProfessionalRef
from agencies.validation import LONG_TEXT_MAX, NOTE_MAX, PLAIN_SUMMARY_MAX, date_in_range
from meetings.models import Attendance, MeetingKind
from meetings.selectors import MeetingDetail
from sharing.models import Category


class BoundedDateTimeField(serializers.DateTimeField):
    """A date and time the API accepts only on a day within 1900-2200 (agencies.validation)."""

    def to_internal_value(self, value: Any) -> Any:
        result = super().to_internal_value(value)
        try:
            date_in_range(result.date())
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None
        return result


class MeetingCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=MeetingKind.choices)
    starts_at = BoundedDateTimeField()
    ends_at = BoundedDateTimeField()
    location = serializers.CharField(max_length=300, help_text="A place, or an online meeting link")
    chair = ProfessionalRef()
    note_taker = ProfessionalRef()
    invitees = serializers.ListField(child=ProfessionalRef(), required=False, default=list)
    family_invited = serializers.BooleanField(required=False, default=False)
    views_due_at = BoundedDateTimeField()


class MeetingUpdateSerializer(serializers.Serializer):
    starts_at = BoundedDateTimeField(required=False)
    ends_at = BoundedDateTimeField(required=False)
    location = serializers.CharField(max_length=300, required=False)
    views_due_at = BoundedDateTimeField(required=False)
    invitees = serializers.ListField(child=ProfessionalRef(), required=False)
    family_invited = serializers.BooleanField(required=False)
    status = serializers.ChoiceField(choices=[("cancelled", "Cancelled")], required=False)
    attendance = serializers.DictField(
        child=serializers.ChoiceField(choices=Attendance.choices), required=False, help_text="professional id -> status"
    )


class ViewSerializer(serializers.Serializer):
    rating = serializers.IntegerField(min_value=0, max_value=10)
    worries = serializers.CharField(allow_blank=True, max_length=NOTE_MAX)
    working_well = serializers.CharField(allow_blank=True, max_length=NOTE_MAX)
    next_steps = serializers.CharField(allow_blank=True, max_length=NOTE_MAX)
    category = serializers.ChoiceField(choices=Category.choices, required=False, default=Category.GENERAL)


class DissentInSerializer(serializers.Serializer):
    professional = ProfessionalRef()
    reason = serializers.CharField(allow_blank=True, max_length=NOTE_MAX)


class ActionInSerializer(serializers.Serializer):
    goal = serializers.UUIDField()
    title = serializers.CharField(max_length=200, allow_blank=True)
    due_date = BoundedDateField()
    accountable = ProfessionalRef()
    plain_summary = serializers.CharField(required=False, allow_blank=True, default="", max_length=PLAIN_SUMMARY_MAX)


class DecisionCreateSerializer(serializers.Serializer):
    text = serializers.CharField(allow_blank=True, max_length=NOTE_MAX)
    agreed_by = serializers.ListField(child=ProfessionalRef(), required=False, default=list)
    dissent = DissentInSerializer(many=True, required=False, default=list)
    actions = ActionInSerializer(many=True, required=False, default=list)
    corrects = serializers.UUIDField(required=False, allow_null=True, default=None)


class CloseSerializer(serializers.Serializer):
    minutes = serializers.CharField(allow_blank=True, max_length=LONG_TEXT_MAX)
    plain_summary = serializers.CharField(allow_blank=True, max_length=PLAIN_SUMMARY_MAX)


class AnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(allow_blank=True, max_length=NOTE_MAX)


def meeting_summary(m: Any) -> dict[str, Any]:
    return {
        "id": m.id,
        "case": m.case_id,
        "kind": m.kind,
        "starts_at": m.starts_at,
        "ends_at": m.ends_at,
        "location": m.location,
        "chair": m.chair_id,
        "note_taker": m.note_taker_id,
        "family_invited": m.family_invited,
        "views_due_at": m.views_due_at,
        "status": m.status,
        "sequence": m.sequence,
    }


def decision_data(d: Any) -> dict[str, Any]:
    return {
        "id": d.id,
        "text": d.text,
        "record": d.record_id,
        "corrects": d.corrects_id,
        "recorded_by": d.recorded_by_id,
        "agreed_by": sorted(str(p.pk) for p in d.agreed_by.all()),
        "dissent": [
            {
                "id": x.id,
                "professional": x.professional_id,
                "reason": x.reason,
                "answerer": x.answerer_id,
                "answer_due": x.answer_due,
                "answer": x.answer or None,
                "answered_at": x.answered_at,
            }
            for x in d.dissents.all()
        ],
        "actions": [a.milestone_id for a in d.actions.all()],
        "created_at": d.created_at,
    }


def meeting_detail_data(detail: MeetingDetail) -> dict[str, Any]:
    m = detail.meeting
    data = meeting_summary(m)
    data.update(
        {
            "invitees": [i.professional_id for i in detail.invitees],
            "views_given": detail.views_given,
            "family_view_given": detail.family_view_given,
            "opened_at": m.opened_at,
            "closed_at": m.closed_at,
        }
    )
    if not detail.sealed:
        data["views"] = [
            {
                "id": v.view.id,
                "author": v.view.author_id,
                "family": v.view.family,
                "agency": v.agency_id,
                "category": v.view.category,
                "rating": v.view.rating,
                "worries": v.view.worries,
                "working_well": v.view.working_well,
                "next_steps": v.view.next_steps,
            }
            for v in detail.views
        ]
        s = detail.spread
        data["spread"] = (
            {"min": s.min, "max": s.max, "range": s.range, "flagged": s.flagged, "ratings": s.ratings} if s else None
        )
        data["attendance"] = {str(i.professional_id): i.attendance or None for i in detail.invitees}
        data["quorate"] = detail.quorate
        data["decisions"] = [decision_data(d) for d in detail.decisions]
        data["minutes"] = m.minutes or None
        data["plain_summary"] = m.plain_summary or None
        data["next_meetings"] = [{"kind": n.kind, "due_on": n.due_on} for n in detail.next_meetings]
    return data


def view_data(v: Any) -> dict[str, Any]:
    return {
        "id": v.id,
        "rating": v.rating,
        "worries": v.worries,
        "working_well": v.working_well,
        "next_steps": v.next_steps,
        "category": v.category,
        "family": v.family,
        "updated_at": v.updated_at,
    }
