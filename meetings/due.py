"""The meetings' due items, registered with accountability (MeetingsConfig.ready):
pending views (each invitee's view, due on the meeting's views_due_on while the
meeting is scheduled), dissents awaiting the chair's team lead's written answer
(28 days), and suggested next meetings (due for the chair until scheduled). Also
the calendar source: the meetings a professional is invited to, as timed events.

Floor 6. The registry (accountability/registry.py) reads these sources for the
reminder scan, escalation, the claim-time check, My work and the calendar feed.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from accountability.registry import CalendarEvent, DueSource, WorkItem, owed_rows, work_lines
from agencies.prepared import PreparedQuery
from cases.models import CaseStatus
from meetings.models import Dissent, Invitee, MeetingKind, MeetingStatus, NextMeeting

VIEW_LINK = "/meetings/views-due/{id}/"
DISSENT_LINK = "/meetings/dissents/{id}/answer/"
NEXT_LINK = "/cases/{case}/meetings/new/?after={id}"


def owed_views() -> QuerySet[Invitee]:
    return Invitee.objects.filter(
        view_given_at__isnull=True,
        removed_at__isnull=True,
        meeting__status=MeetingStatus.SCHEDULED,
        meeting__case__status=CaseStatus.OPEN,
    )


def owed_dissent_answers() -> QuerySet[Dissent]:
    return Dissent.objects.filter(answered_at__isnull=True, decision__meeting__case__status=CaseStatus.OPEN)


def owed_next_meetings() -> QuerySet[NextMeeting]:
    return NextMeeting.objects.filter(scheduled__isnull=True, case__status=CaseStatus.OPEN)


_KINDS = dict(MeetingKind.choices)


def _work(rows: Any, *, subject_type: str, kind_label: str, link: str, title: Callable[[str], str]) -> list[WorkItem]:
    """My work's lines of one kind: rows are (id, kind of meeting, due, case id, reference, case title)."""

    def words(kind: Any) -> str:
        return title(_KINDS.get(kind, kind).lower())

    return work_lines(
        ((pk, due, case_id, ref, case_title, kind) for pk, kind, due, case_id, ref, case_title in rows),
        subject_type=subject_type,
        kind_label=kind_label,
        link=link,
        title=words,
        today=timezone.localdate(),
    )


def _rows(owed: Callable[[], QuerySet[Any]], holder: str, m: str, due: str) -> PreparedQuery:
    """My work's rows of one kind: (id, kind of meeting, due, case id, reference, case title)."""
    return owed_rows(
        owed, holder=holder, columns=("id", f"{m}kind", due, f"{m}case_id", f"{m}case__reference", f"{m}case__title")
    )


_VIEW_ROWS = _rows(owed_views, "professional", "meeting__", "meeting__views_due_on")
_DISSENT_ROWS = _rows(owed_dissent_answers, "answerer", "decision__meeting__", "answer_due")
_NEXT_ROWS = _rows(owed_next_meetings, "chair", "", "due_on")


def view_work(professional: Any) -> list[WorkItem]:
    return _work(
        _VIEW_ROWS.rows(me=professional.pk),
        subject_type="meeting_view",
        kind_label="Meeting view",
        link=VIEW_LINK,
        title=lambda kind: f"Your view for the {kind}",
    )


def dissent_work(professional: Any) -> list[WorkItem]:
    return _work(
        _DISSENT_ROWS.rows(me=professional.pk),
        subject_type="meeting_dissent",
        kind_label="Dissent to answer",
        link=DISSENT_LINK,
        title=lambda kind: f"A dissent from a decision of the {kind}: answer in writing",
    )


def next_meeting_work(professional: Any) -> list[WorkItem]:
    return _work(
        _NEXT_ROWS.rows(me=professional.pk),
        subject_type="next_meeting",
        kind_label="Meeting to schedule",
        link=NEXT_LINK,
        title=lambda kind: f"Schedule the {kind}",
    )


PENDING_VIEWS = DueSource(
    subject_type="meeting_view",
    label="meeting view",
    owed=owed_views,
    date_field="meeting__views_due_on",
    accountable_field="professional",
    link=VIEW_LINK,
    case_field="meeting__case_id",
    case_reference_field="meeting__case__reference",
    work_items=view_work,
    on_case_team=False,  # leaving the team ends the invitation's claim on them, not the other way round
)
DISSENT_ANSWERS = DueSource(
    subject_type="meeting_dissent",
    label="answer to a dissent",
    owed=owed_dissent_answers,
    date_field="answer_due",
    accountable_field="answerer",
    link=DISSENT_LINK,
    case_field="decision__meeting__case_id",
    case_reference_field="decision__meeting__case__reference",
    work_items=dissent_work,
    on_case_team=False,  # the chair's team lead need not be on the case team
)
NEXT_MEETINGS = DueSource(
    subject_type="next_meeting",
    label="meeting to schedule",
    owed=owed_next_meetings,
    date_field="due_on",
    accountable_field="chair",
    link=NEXT_LINK,
    work_items=next_meeting_work,
)


def meeting_calendar_events(professional_id: uuid.UUID) -> list[CalendarEvent]:
    """The meetings this professional is invited to, from a week ago on, cancelled ones included
    (so calendars remove them). Summary: the case reference only (no kind, place or names)."""
    since = timezone.now() - timedelta(days=7)
    rows = Invitee.objects.filter(
        professional_id=professional_id, removed_at__isnull=True, meeting__ends_at__gte=since
    ).values_list(
        "meeting_id",
        "meeting__starts_at",
        "meeting__ends_at",
        "meeting__sequence",
        "meeting__status",
        "meeting__case__reference",
    )
    return [
        CalendarEvent(
            uid=meeting_uid(meeting_id),
            summary=f"JoinedUp meeting: {reference}",
            starts_at=starts,
            ends_at=ends,
            link=f"/meetings/{meeting_id}/",
            sequence=sequence,
            cancelled=status == MeetingStatus.CANCELLED,
        )
        for meeting_id, starts, ends, sequence, status, reference in rows
    ]


def meeting_uid(meeting_id: Any) -> str:
    return f"meeting-{meeting_id}@joinedup"
