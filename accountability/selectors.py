"""Reads of the accountability engine, already filtered for the viewer: a
professional only ever reads their own notifications.

Floor 3. May use: agencies, audit."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, QuerySet, UUIDField

from accountability import registry
from accountability.models import Notification, ReminderKind, ReminderSettings
from accountability.registry import CalendarEvent, DueItem, WorkItem
from agencies.models import Professional
from agencies.prepared import PreparedQuery


def accountable_items_for(*, professional: Professional) -> list[DueItem]:
    """Every owed item of every registered kind this professional answers for (the calendar feed)."""
    return registry.accountable_items(professional.id)


def calendar_events_for(*, professional: Professional) -> list[CalendarEvent]:
    """Timed events of every registered calendar source."""
    return registry.calendar_events_for(professional.id)


def work_items_for(*, professional: Professional) -> list[WorkItem]:
    """My work: the open items of every registered kind I answer for, soonest first."""
    return registry.work_items_for(professional)


def coordinated_items_for(*, professional: Professional) -> list[WorkItem]:
    """My work's "On my cases" and the Team page: overdue and due-soon items others answer for
    on the cases I coordinate (lead professional, or team lead on the case team)."""
    return registry.coordinated_items_for(professional)


@dataclass(frozen=True)
class NotificationRow:
    """A notification in words: `what` is the kind of item and, where the reader may see it,
    its plain title ("Milestone “Benefits advice”"), or its kind's own words; `says` what happened
    to it; `label` names the kind of notice ("Handed over to you"), as the app that tells it words it."""

    notification: Notification
    what: str
    says: str
    label: str = ""


def notification_rows(*, professional: Professional, notifications: Iterable[Notification]) -> list[NotificationRow]:
    """Word notifications for their reader. Titles come from the item's own app (the registry),
    only for items on cases the reader may see now; one query per kind of item on the page."""
    notifications = list(notifications)
    titles = registry.titles_for(professional, [(n.subject_type, n.subject_id) for n in notifications])
    rows = []
    for n in notifications:
        label = registry.label_of(n.subject_type).capitalize()
        title = titles.get((n.subject_type, n.subject_id))
        what = f"{label} “{title}”" if title else label
        kind = registry.notice_kind(n.kind)
        if kind is not None and kind.what is not None:
            what = kind.what(n.case_reference)
        says = registry.notice_phrase(n.kind)
        rows.append(NotificationRow(notification=n, what=what, says=says, label=registry.notice_label(n.kind)))
    return rows


def open_items_held_on_case(*, professional_id: uuid.UUID, case_id: uuid.UUID) -> int:
    """Owed items of the case-team kinds (milestones, reviews, ...) this professional answers for on the case."""
    return registry.open_items_held_on_case(professional_id=professional_id, case_id=case_id)


def reminder_delivery_of(*, professional: Professional) -> str:
    delivery = ReminderSettings.objects.filter(professional=professional).values_list("delivery", flat=True).first()
    return delivery or ReminderSettings._meta.get_field("delivery").default


def notification_list_for(*, professional: Professional, unread_only: bool = False) -> QuerySet[Notification]:
    qs = Notification.objects.filter(recipient=professional.id)
    if unread_only:
        qs = qs.filter(read_at=None)
    return qs.order_by("-created_at", "-id")


# The header's badge on every page: compiled once (agencies.prepared). No row when none are unread.
_UNREAD = PreparedQuery(
    lambda *, me: (
        Notification.objects.filter(recipient=me, read_at=None)
        .order_by()
        .values("recipient")
        .annotate(n=Count("pk"))
        .values_list("n", flat=True)
    ),
    me=UUIDField(),
)


def unread_count_for(*, professional: Professional) -> int:
    return sum(_UNREAD.rows(me=professional.id))


def escalations_for_lead(*, professional: Professional, limit: int = 50) -> list[Notification]:
    """Escalations sent to this team lead, unread first then newest."""
    return list(
        Notification.objects.filter(recipient=professional.id, kind=ReminderKind.ESCALATION).order_by(
            "-read_at", "-created_at"
        )[:limit]
    )


def professional_by_calendar_token(*, token: str) -> Professional | None:
    if not token or len(token) > 64:
        return None
    return Professional.objects.filter(reminder_settings__calendar_token=token, is_active=True).first()
