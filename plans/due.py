"""The plan's due items, registered with accountability (PlansConfig.ready):
milestones and reviews, each owed while open on an open case.

Floor 5. The registry (accountability/registry.py) reads these sources for the
reminder scan, escalation, the claim-time check, My work and the calendar feed.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any

from django.db.models import CharField, DateField, QuerySet, UUIDField, Value
from django.utils import timezone

from accountability.registry import DueSource, WorkItem, owed_rows
from agencies.prepared import PreparedQuery
from cases.models import CaseStatus
from cases.visibility import CaseVisible, CoordinatedBy
from plans.models import ItemStatus, Milestone, Review
from plans.selectors import DUE_SOON_DAYS, due_tag

CASE_LINK = "/cases/{case}/#%s-{id}"


def owed_milestones() -> QuerySet[Milestone]:
    return Milestone.objects.filter(status=ItemStatus.OPEN, case__status=CaseStatus.OPEN)


def owed_reviews() -> QuerySet[Review]:
    return Review.objects.filter(status=ItemStatus.OPEN, case__status=CaseStatus.OPEN)


def _work(
    professional: Any, *, subject_type: str, kind_label: str, rows: Iterable[Any], title: Callable[[Any], str]
) -> list[WorkItem]:
    """My work's lines for one kind: rows are (id, title or kind, due, case id, reference, case
    title), optionally followed by the accountable person's given and family names."""
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
            accountable_name=" ".join(names),
        )
        for pk, label, due, case_id, ref, case_title, *names in rows
    ]


_CASE_COLUMNS = ("case_id", "case__reference", "case__title")


# My work runs these on every visit: compiled once (agencies.prepared).
_MILESTONE_ROWS = owed_rows(owed_milestones, holder="accountable", columns=("id", "title", "due_date", *_CASE_COLUMNS))
_REVIEW_ROWS = owed_rows(owed_reviews, holder="accountable", columns=("id", "kind", "scheduled_for", *_CASE_COLUMNS))


def milestone_work(professional: Any) -> list[WorkItem]:
    rows = _MILESTONE_ROWS.rows(me=professional.pk)
    return _work(professional, subject_type="milestone", kind_label="Milestone", rows=rows, title=str)


def review_work(professional: Any) -> list[WorkItem]:
    kinds = dict(Review._meta.get_field("kind").choices or [])
    rows = _REVIEW_ROWS.rows(me=professional.pk)
    return _work(
        professional, subject_type="review", kind_label="Review", rows=rows, title=lambda k: str(kinds.get(k, k))
    )


def coordinated_by(professional_id: Any, model: Any) -> CoordinatedBy:
    """Items on cases the professional coordinates: they are its lead professional or hold
    the team lead (oversight) role on its team."""
    return CoordinatedBy(professional_id=professional_id, model=model)


_COORDINATED_COLUMNS = ("accountable__given_name", "accountable__family_name")


def _coordinated_rows(*, me: Any, soon: Any) -> QuerySet[Any]:
    columns = (*_CASE_COLUMNS, *_COORDINATED_COLUMNS, "work_kind")

    def mine(owed: QuerySet[Any], kind: str, label: str, date_field: str) -> QuerySet[Any]:
        return (
            owed.filter(coordinated_by(me, owed.model), **{f"{date_field}__lte": soon})
            .exclude(accountable_id=me)
            .annotate(work_kind=Value(kind, output_field=CharField()))
            .values_list("id", label, date_field, *columns)
            .order_by()
        )

    return (
        mine(owed_milestones(), "milestone", "title", "due_date")
        .union(mine(owed_reviews(), "review", "kind", "scheduled_for"), all=True)
        .order_by()
    )  # sorted by the registry; no model ordering on a UNION


_COORDINATED_ROWS = PreparedQuery(_coordinated_rows, me=UUIDField(), soon=DateField())


def plan_coordinated(professional: Any) -> list[WorkItem]:
    """Overdue and due-soon milestones and reviews others answer for on the cases I coordinate:
    one query for both kinds (a UNION), so My work stays within its query budget (decision 0006).
    Registered on MILESTONES only; it serves the REVIEWS source too."""
    soon = timezone.localdate() + timedelta(days=DUE_SOON_DAYS)
    rows = _COORDINATED_ROWS.rows(me=professional.pk, soon=soon)
    by_kind: dict[str, list[Any]] = {"milestone": [], "review": []}
    for *row, kind in rows:
        by_kind[kind].append(row)
    items = _work(professional, subject_type="milestone", kind_label="Milestone", rows=by_kind["milestone"], title=str)
    items += _work(professional, subject_type="review", kind_label="Review", rows=by_kind["review"], title=_review_kind)
    return items


def _review_kind(kind: str) -> str:
    return str(dict(Review._meta.get_field("kind").choices or []).get(kind, kind))


def milestone_titles(viewer: Any, ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    """The titles of these milestones on cases the viewer may see now (notification wording)."""
    visible = CaseVisible(professional_id=viewer.pk, model=Milestone, column="case_id")
    return dict(Milestone.objects.filter(visible, id__in=ids).values_list("id", "title"))


def review_titles(viewer: Any, ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    visible = CaseVisible(professional_id=viewer.pk, model=Review, column="case_id")
    rows = Review.objects.filter(visible, id__in=ids).values_list("id", "kind", "scheduled_for")
    return {pk: f"{_review_kind(kind)} on {day:%-d %b %Y}" for pk, kind, day in rows}


MILESTONES = DueSource(
    subject_type="milestone",
    label="milestone",
    owed=owed_milestones,
    date_field="due_date",
    accountable_field="accountable",
    link=CASE_LINK % "milestone",
    work_items=milestone_work,
    case_lead_field="case__lead_professional_id",
    coordinated_items=plan_coordinated,
    titles=milestone_titles,
)
REVIEWS = DueSource(
    subject_type="review",
    label="review",
    owed=owed_reviews,
    date_field="scheduled_for",
    accountable_field="accountable",
    link=CASE_LINK % "review",
    work_items=review_work,
    case_lead_field="case__lead_professional_id",
    titles=review_titles,
)
