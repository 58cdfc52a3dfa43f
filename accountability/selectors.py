"""Reads of the accountability engine, already filtered for the viewer: a
professional only ever reads their own notifications.

Floor 3. May use: agencies, audit."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet

from accountability import registry
from accountability.models import Notification, ReminderKind, ReminderSettings
from accountability.registry import CalendarEvent, DueItem, WorkItem
from agencies.models import Professional


def accountable_items_for(*, professional: Professional) -> list[DueItem]:
    """Every owed item of every registered kind this professional answers for (the calendar feed)."""
    return registry.accountable_items(professional.id)


def calendar_events_for(*, professional: Professional) -> list[CalendarEvent]:
    """Timed events of every registered calendar source (meetings I am invited to)."""
    return registry.calendar_events_for(professional.id)


def work_items_for(*, professional: Professional) -> list[WorkItem]:
    """My work: the open items of every registered kind I answer for, soonest first."""
    return registry.work_items_for(professional)


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


def unread_count_for(*, professional: Professional) -> int:
    return Notification.objects.filter(recipient=professional.id, read_at=None).count()


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
