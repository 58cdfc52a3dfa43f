"""Reads of the accountability engine, already filtered for the viewer: a
professional only ever reads their own notifications."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django.db.models import QuerySet

from accountability.models import Notification, ReminderKind
from accountability.services import DueItem
from agencies.models import Professional

# The items a professional is accountable for, for their calendar feed:
# registered by the layer that owns the items (cases, in CasesConfig.ready).
AccountableItemsSource = Callable[[uuid.UUID], list[DueItem]]
_item_sources: list[AccountableItemsSource] = []


def register_accountable_items_source(source: AccountableItemsSource) -> None:
    if source not in _item_sources:
        _item_sources.append(source)


def accountable_items_for(*, professional: Professional) -> list[DueItem]:
    items = [item for source in _item_sources for item in source(professional.id)]
    return sorted(items, key=lambda i: (i.due_date, i.case_reference, str(i.subject_id)))


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
    return Professional.objects.filter(calendar_token=token, is_active=True).first()
