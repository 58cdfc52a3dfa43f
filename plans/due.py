"""The plan's due items, registered with accountability (PlansConfig.ready):
milestones and reviews, each owed while open on an open case.

Floor 5. The registry (accountability/registry.py) reads these sources for the
reminder scan, escalation, the claim-time check, My work and the calendar feed.
"""

from __future__ import annotations

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


def milestone_work(professional: Any) -> list[WorkItem]:
    today = timezone.localdate()
    rows = (
        owed_milestones()
        .filter(accountable=professional)
        .values_list("id", "title", "due_date", "case_id", "case__reference", "case__title")
    )
    return [
        WorkItem(
            subject_type="milestone",
            kind_label="Milestone",
            id=pk,
            title=title,
            due=due,
            case_id=case_id,
            case_reference=ref,
            case_title=case_title,
            link=MILESTONES.item_link(case_id=case_id, subject_id=pk),
            tag=due_tag(due, today),
        )
        for pk, title, due, case_id, ref, case_title in rows
    ]


def review_work(professional: Any) -> list[WorkItem]:
    today = timezone.localdate()
    kinds = dict(Review._meta.get_field("kind").choices or [])
    rows = (
        owed_reviews()
        .filter(accountable=professional)
        .values_list("id", "kind", "scheduled_for", "case_id", "case__reference", "case__title")
    )
    return [
        WorkItem(
            subject_type="review",
            kind_label="Review",
            id=pk,
            title=str(kinds.get(kind, kind)),
            due=due,
            case_id=case_id,
            case_reference=ref,
            case_title=case_title,
            link=REVIEWS.item_link(case_id=case_id, subject_id=pk),
            tag=due_tag(due, today),
        )
        for pk, kind, due, case_id, ref, case_title in rows
    ]


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
