"""Reads of the professional's front door: my cases and the team page.

Floor 6 (top). May use every floor below.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from agencies.models import Professional
from agencies.selectors import is_admin, is_information_governance_lead
from cases.models import Case, CaseStatus, RoleAssignment
from plans.models import ItemStatus, Milestone
from plans.selectors import DUE_SOON_DAYS
from sharing.selectors import override_review_queue


def has_pending_reviews(*, user: Any) -> bool:
    """Whether overrides wait for this user's review (an IG lead's or the admins' queue)."""
    if not (is_admin(user) or is_information_governance_lead(user=user)):
        return False
    return override_review_queue(user=user).exists()


def my_cases(*, professional: Professional) -> QuerySet[Case]:
    """Open cases I hold an active role on, with my role."""
    mine = RoleAssignment.objects.filter(case=OuterRef("pk"), professional=professional, ended_on__isnull=True)
    return (
        Case.objects.filter(Exists(mine), status=CaseStatus.OPEN)
        .annotate(my_role=mine.values("role")[:1])
        .select_related("lead_professional")
        .order_by("-opened_at")
    )


def team_overview(*, lead: Professional) -> QuerySet[Professional]:
    """Members of the teams I lead with counts of their overdue and due-soon items."""
    today = timezone.localdate()
    soon = today + timedelta(days=DUE_SOON_DAYS)
    open_m = Q(milestones__status=ItemStatus.OPEN, milestones__case__status=CaseStatus.OPEN)
    open_r = Q(reviews__status=ItemStatus.OPEN, reviews__case__status=CaseStatus.OPEN)
    return (
        Professional.objects.filter(team__lead=lead, is_active=True)
        .select_related("team", "agency")
        .annotate(
            overdue_milestones=Count("milestones", filter=open_m & Q(milestones__due_date__lt=today), distinct=True),
            soon_milestones=Count(
                "milestones",
                filter=open_m & Q(milestones__due_date__gte=today, milestones__due_date__lte=soon),
                distinct=True,
            ),
            overdue_reviews=Count("reviews", filter=open_r & Q(reviews__scheduled_for__lt=today), distinct=True),
            soon_reviews=Count(
                "reviews",
                filter=open_r & Q(reviews__scheduled_for__gte=today, reviews__scheduled_for__lte=soon),
                distinct=True,
            ),
        )
        .order_by("team__name", "family_name", "given_name")
    )


def team_due_items(*, lead: Professional) -> QuerySet[Milestone]:
    """Overdue and due-soon milestones of the members of my teams, soonest first."""
    soon = timezone.localdate() + timedelta(days=DUE_SOON_DAYS)
    return (
        Milestone.objects.filter(
            accountable__team__lead=lead,
            status=ItemStatus.OPEN,
            case__status=CaseStatus.OPEN,
            due_date__lte=soon,
        )
        .select_related("case", "accountable")
        .order_by("due_date")
    )
