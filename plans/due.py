"""The plan's due items, registered with accountability (PlansConfig.ready):
milestones and reviews, each owed while open on an open case.

Floor 5. The registry (accountability/registry.py) reads these sources for the
reminder scan, escalation, the claim-time check, My work and the calendar feed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from accountability.registry import DueSource, WorkItem
from cases.models import CaseStatus
from plans.models import ItemStatus, Milestone, Review
from plans.selectors import due_tag

CASE_LINK = "/cases/{case}/#%s-{id}"


def owed_milestones() -> QuerySet[Milestone]:
    return Milestone.objects.filter(status=ItemStatus.OPEN, case__status=CaseStatus.OPEN)


def owed_reviews() -> QuerySet[Review]:
    return Review.objects.filter(status=ItemStatus.OPEN, case__status=CaseStatus.OPEN)


def _work(
    professional: Any, *, subject_type: str, kind_label: str, rows: QuerySet[Any], title: Callable[[Any], str]
) -> list[WorkItem]:
    """My work's lines for one kind: rows are (id, title or kind, due, case id, reference, case title)."""
    today = timezone.localdate()
    return [
        WorkItem(
            subject_type=subject_type,
            kind_label=kind_label,
            id=pk,
            title=title(label),
            due=due,
            case_id=case_id,
            case_reference=ref,
            case_title=case_title,
            link=(CASE_LINK % subject_type).format(case=case_id, id=pk),
            tag=due_tag(due, today),
        )
        for pk, label, due, case_id, ref, case_title in rows
    ]


_CASE_COLUMNS = ("case_id", "case__reference", "case__title")


def milestone_work(professional: Any) -> list[WorkItem]:
    rows = owed_milestones().filter(accountable=professional).values_list("id", "title", "due_date", *_CASE_COLUMNS)
    return _work(professional, subject_type="milestone", kind_label="Milestone", rows=rows, title=str)


def review_work(professional: Any) -> list[WorkItem]:
    kinds = dict(Review._meta.get_field("kind").choices or [])
    rows = owed_reviews().filter(accountable=professional).values_list("id", "kind", "scheduled_for", *_CASE_COLUMNS)
    return _work(
        professional, subject_type="review", kind_label="Review", rows=rows, title=lambda k: str(kinds.get(k, k))
    )


MILESTONES = DueSource(
    subject_type="milestone",
    label="milestone",
    owed=owed_milestones,
    date_field="due_date",
    accountable_field="accountable",
    link=CASE_LINK % "milestone",
    work_items=milestone_work,
)
REVIEWS = DueSource(
    subject_type="review",
    label="review",
    owed=owed_reviews,
    date_field="scheduled_for",
    accountable_field="accountable",
    link=CASE_LINK % "review",
    work_items=review_work,
)
