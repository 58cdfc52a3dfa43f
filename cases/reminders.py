"""The reminder scan: which milestones and reviews are due, handed down to accountability.

A selector (`due_items`) and a service (`reminders_scan`) kept together
because they are one concern. The scan computes dates in TIME_ZONE, reads only
open items on open cases through the partial indexes milestone_open_due_idx /
review_open_due_idx, and hands plain descriptors (identifiers, the case
reference and a link, never names or titles) to accountability, which creates
the reminder rows and delivers them. The accountable professional is read at
scan time, so after a handover the next scan reminds the new holder; rows
already created for the previous holder are cancelled at claim time by the
due checker registered in CasesConfig.ready().
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import connection, transaction
from django.db.models import CharField, Q, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from accountability.services import (
    DueItem,
    reminder_due_windows,
    reminder_ids_to_deliver,
    reminders_create_for_due,
    reminders_create_for_due_sql,
    reminders_enqueue_delivery,
)
from cases.models import CaseStatus, ItemStatus, Milestone, Review, SafeguardingAccess
from cases.services import safeguarding_access_expire_due

OVERRIDE_REVIEW = "override_review"


def item_link(*, case_id: uuid.UUID, subject_type: str, subject_id: uuid.UUID) -> str:
    if subject_type == OVERRIDE_REVIEW:
        return f"/governance/reviews/{subject_id}/"
    return f"/cases/{case_id}/#{subject_type}-{subject_id}"


def _due_filter(field_name: str, today: date) -> Q:
    exact, (start, end) = reminder_due_windows(today=today)
    return Q(**{f"{field_name}__in": exact}) | Q(**{f"{field_name}__range": (start, end)})


@dataclass(frozen=True)
class DueSource:
    """One kind of due item: its rows still owed, its due-date field and who answers for it."""

    subject_type: str
    model: Any
    date_field: str
    accountable_field: str
    owed: Q

    def rows(self) -> Any:
        return self.model.objects.filter(self.owed)


OPEN_ITEM_ON_OPEN_CASE = Q(status=ItemStatus.OPEN, case__status=CaseStatus.OPEN)
_SOURCES = (
    DueSource(
        "milestone", Milestone, "due_date", "accountable", Q(status=ItemStatus.OPEN, case__status=CaseStatus.OPEN)
    ),
    DueSource(
        "review", Review, "scheduled_for", "accountable", Q(status=ItemStatus.OPEN, case__status=CaseStatus.OPEN)
    ),
    # A safeguarding override is reviewed by its agency's information-governance lead until an
    # outcome is recorded, whether or not the case is still open (DESIGN: reminded and escalated
    # like any other due item).
    DueSource(OVERRIDE_REVIEW, SafeguardingAccess, "review_due", "reviewer", Q(outcome="", reviewer__isnull=False)),
)
SOURCES_BY_TYPE = {source.subject_type: source for source in _SOURCES}


def _link_expr(source: DueSource) -> Concat:
    if source.subject_type == OVERRIDE_REVIEW:
        return Concat(Value("/governance/reviews/"), Cast("id", CharField()), Value("/"))
    return Concat(
        Value("/cases/"), Cast("case_id", CharField()), Value(f"/#{source.subject_type}-"), Cast("id", CharField())
    )


def due_items_sql(*, today: date) -> list[tuple[str, Any]]:
    """The same selection as due_items, as SQL (one statement per kind of item) with
    columns in accountability.services.DUE_SOURCE_COLUMNS order, for the set-based insert."""
    statements = []
    for source in _SOURCES:
        acc = source.accountable_field
        qs = (
            source.rows()
            .filter(_due_filter(source.date_field, today))
            .annotate(reminder_subject_type=Value(source.subject_type, CharField()), reminder_link=_link_expr(source))
            .values_list(
                "reminder_subject_type",
                "id",
                source.date_field,
                f"{acc}_id",
                f"{acc}__team__lead_id",
                "case_id",
                "case__reference",
                "reminder_link",
            )
            .order_by()
        )
        statements.append(qs.query.sql_with_params())
    return statements


def due_items(*, today: date) -> Iterator[DueItem]:
    """Open items (milestones, reviews, override reviews) whose due date earns a reminder today."""
    for source in _SOURCES:
        acc = source.accountable_field
        rows = (
            source.rows()
            .filter(_due_filter(source.date_field, today))
            .values_list("id", source.date_field, f"{acc}_id", f"{acc}__team__lead_id", "case_id", "case__reference")
            .order_by()
        )
        for subject_id, due, accountable, lead, case_id, reference in rows.iterator(chunk_size=5000):
            yield DueItem(
                subject_type=source.subject_type,
                subject_id=subject_id,
                due_date=due,
                accountable=accountable,
                team_lead=lead,
                case=case_id,
                case_reference=reference,
                link=item_link(case_id=case_id, subject_type=source.subject_type, subject_id=subject_id),
            )


def accountable_items(professional_id: uuid.UUID) -> list[DueItem]:
    """Open items this professional answers for (the calendar feed)."""
    items: list[DueItem] = []
    for source in _SOURCES:
        rows = (
            source.rows()
            .filter(**{f"{source.accountable_field}_id": professional_id})
            .values_list("id", source.date_field, "case_id", "case__reference")
        )
        items.extend(
            DueItem(
                subject_type=source.subject_type,
                subject_id=subject_id,
                due_date=due,
                accountable=professional_id,
                team_lead=None,
                case=case_id,
                case_reference=reference,
                link=item_link(case_id=case_id, subject_type=source.subject_type, subject_id=subject_id),
            )
            for subject_id, due, case_id, reference in rows
            if due is not None
        )
    return items


def still_due_checker(subject_type: str):  # type: ignore[no-untyped-def]
    """A checker for accountability: which (id, accountable, due date) keys are still
    owed, held by the same professional and due on the same date."""
    source = SOURCES_BY_TYPE[subject_type]

    def check(keys: list[tuple[uuid.UUID, uuid.UUID, date]]) -> set[tuple[uuid.UUID, uuid.UUID, date]]:
        ids = {k[0] for k in keys}
        current = set(
            source.rows().filter(id__in=ids).values_list("id", f"{source.accountable_field}_id", source.date_field)
        )
        return {k for k in keys if k in current}

    return check


@dataclass
class ScanResult:
    today: date
    due_items: int = 0
    reminders: int = 0  # reminder rows created by this scan (a re-run creates none)
    to_deliver: list[int] = field(default_factory=list)
    messages: int = 0  # Celery messages enqueued


@transaction.atomic
def reminders_scan(*, today: date | None = None, enqueue: bool = True) -> ScanResult:
    """Find today's due items, create their reminder rows, and (after commit)
    enqueue delivery in batches of up to REMINDER_BATCH_SIZE ids per message.
    With enqueue=False the caller delivers `to_deliver` itself (the command)."""
    today = today or timezone.localdate()
    result = ScanResult(today=today)
    # Overrides past their 72 hours are ended and audited here even if nobody reads again.
    safeguarding_access_expire_due()
    if connection.vendor == "postgresql":
        # Set-based: the rows never leave the database (the scan's cost at a million milestones).
        for source in due_items_sql(today=today):
            due, created = reminders_create_for_due_sql(source=source, today=today)
            result.due_items += due
            result.reminders += created
    else:
        items = list(due_items(today=today))
        result.due_items = len(items)
        result.reminders = reminders_create_for_due(items=items, today=today)
    result.to_deliver = reminder_ids_to_deliver()
    if enqueue:
        result.messages = reminders_enqueue_delivery(result.to_deliver)
    return result
