"""Every read of plans/: the case's goals, milestones and reviews. Each is reached
through the case gate (cases.selectors.get_case_for), so an item of a case the
viewer may not see answers 404.

Floor 5. May use: cases, accountability, agencies, audit. Never sharing.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db.models import Prefetch, QuerySet, UUIDField
from django.http import Http404
from django.utils import timezone

from agencies.prepared import PreparedQuery
from cases.models import Case
from cases.selectors import VIEW, CaseAccess, get_case_for, parse_uuid
from plans.models import Goal, ItemStatus, Milestone, Review

DUE_SOON_DAYS = 7


def case_plan(*, case: Case) -> QuerySet[Goal]:
    """Goals with their milestones (and each milestone's accountable professional)."""
    milestones = Milestone.objects.select_related("accountable__agency").order_by("due_date", "created_at")
    return Goal.objects.filter(case=case).prefetch_related(Prefetch("milestones", queryset=milestones))


def case_reviews(*, case: Case) -> QuerySet[Review]:
    return Review.objects.filter(case=case).select_related("accountable__agency").order_by("scheduled_for")


# The case page reads these at every visit: compiled once (agencies.prepared).
_PLAN_GOALS = PreparedQuery(lambda *, case: Goal.objects.filter(case_id=case), case=UUIDField())
_PLAN_MILESTONES = PreparedQuery(
    lambda *, case: (
        Milestone.objects.filter(goal__case_id=case)
        .select_related("accountable__agency")
        .order_by("due_date", "created_at")
    ),
    case=UUIDField(),
)
_PLAN_REVIEWS = PreparedQuery(
    lambda *, case: case_reviews(case=case),  # type: ignore[arg-type]
    case=UUIDField(),
)


def case_plan_goals(*, case: Case) -> list[tuple[Goal, list[Milestone]]]:
    """The plan as the case page shows it: each goal (in the goals' order) with its milestones
    (soonest first, each with its accountable professional and agency). Two queries."""
    goals = _PLAN_GOALS.objects(case=case.pk)
    milestones: dict[Any, list[Milestone]] = {goal.pk: [] for goal in goals}
    for milestone in _PLAN_MILESTONES.objects(case=case.pk):
        milestones.setdefault(milestone.goal_id, []).append(milestone)
    return [(goal, milestones[goal.pk]) for goal in goals]


def case_review_list(*, case: Case) -> list[Review]:
    """The case's reviews, soonest first, with their accountable professionals (one query)."""
    return _PLAN_REVIEWS.objects(case=case.pk)


def due_tag(due: date, today: date | None = None) -> str:
    """overdue / due_soon (within a week) / later."""
    today = today or timezone.localdate()
    if due < today:
        return "overdue"
    if due <= today + timedelta(days=DUE_SOON_DAYS):
        return "due_soon"
    return "later"


def _milestone_or_review(
    model: type[Milestone] | type[Review] | type[Goal], *, user: Any, item_id: Any, perm: str
) -> tuple[Any, CaseAccess]:
    pk = parse_uuid(item_id)
    case_id = model.objects.filter(pk=pk).values_list("case_id", flat=True).first()
    if case_id is None:
        raise Http404("Not found")
    access = get_case_for(user=user, case_id=case_id, perm=perm)
    related = ("case",) if model is Goal else ("accountable__agency", "case")
    item = model.objects.select_related(*related).get(pk=pk)
    return item, access


def goal_get_for(*, user: Any, goal_id: Any, perm: str = VIEW) -> tuple[Goal, CaseAccess]:
    """A goal through its case's gate (404 when the case is not visible)."""
    return _milestone_or_review(Goal, user=user, item_id=goal_id, perm=perm)


def milestone_get_for(*, user: Any, milestone_id: Any, perm: str = VIEW) -> tuple[Milestone, CaseAccess]:
    return _milestone_or_review(Milestone, user=user, item_id=milestone_id, perm=perm)


def review_get_for(*, user: Any, review_id: Any, perm: str = VIEW) -> tuple[Review, CaseAccess]:
    return _milestone_or_review(Review, user=user, item_id=review_id, perm=perm)


def goal_get_in_case(*, case: Case, goal_id: Any) -> Goal | None:
    try:
        pk = parse_uuid(goal_id)
    except Http404:
        return None
    return Goal.objects.filter(case=case, pk=pk).first()


def case_milestones(*, case: Case) -> QuerySet[Milestone]:
    """The case's milestones, soonest first (the case was checked by get_case_for)."""
    return Milestone.objects.filter(case=case).order_by("due_date", "created_at", "id")


def item_tag(*, status: str, due: date, today: date | None = None) -> str:
    """The status tag of a milestone or review: done / cancelled, else its due tag."""
    if status == ItemStatus.COMPLETED:
        return "done"
    if status == ItemStatus.CANCELLED:
        return "cancelled"
    return due_tag(due, today)
