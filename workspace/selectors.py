"""Reads of the professional's front door: my cases and the team page.

Floor 6 (top). May use every floor below.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Count, Exists, IntegerField, OuterRef, QuerySet, Subquery, UUIDField
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from agencies.models import Professional
from agencies.prepared import PreparedQuery
from agencies.selectors import is_admin, is_information_governance_lead
from cases.models import Case, CaseStatus, RoleAssignment
from cases.selectors import parse_uuid
from cases.visibility import cases_visible_to
from plans.models import ItemStatus, Milestone, Review
from plans.selectors import DUE_SOON_DAYS
from sharing.selectors import override_review_queue


def has_pending_reviews(*, user: Any) -> bool:
    """Whether overrides wait for this user's review (an IG lead's or the admins' queue)."""
    if not (is_admin(user) or is_information_governance_lead(user=user)):
        return False
    return override_review_queue(user=user).exists()


def _my_cases(*, me: Any) -> QuerySet[Any]:
    mine = RoleAssignment.objects.filter(case=OuterRef("pk"), professional_id=me, ended_on__isnull=True)
    return (
        Case.objects.filter(Exists(mine), status=CaseStatus.OPEN)
        .annotate(my_role=mine.values("role")[:1])
        .order_by("-opened_at")
        .values_list("id", "title", "reference", "my_role")
    )


_MY_CASES = PreparedQuery(_my_cases, me=UUIDField())  # My work, every visit: compiled once


def my_cases(*, professional: Professional) -> list[tuple[Any, str, str, str | None]]:
    """Open cases I hold an active role on, newest first: (id, title, reference, my role)."""
    return _MY_CASES.rows(me=professional.pk)


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


def _count(qs: QuerySet[Any], outer: str) -> Coalesce:
    """A correlated COUNT of `qs` rows whose `outer` is the member (OuterRef("pk")), 0 for
    none: one subquery per figure, so the page's query count does not grow with the team."""
    sub = qs.filter(**{outer: OuterRef("pk")}).order_by().values(outer).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(sub, output_field=IntegerField()), 0)


def team_caseload(*, lead: Professional) -> QuerySet[Professional]:
    """Each active member of the teams I lead with their caseload: open cases they are on,
    open items (milestones and reviews on open cases) they answer for, how many of those are
    overdue and how many due this week. One query whatever the size of the team."""
    today = timezone.localdate()
    soon = today + timedelta(days=DUE_SOON_DAYS)
    cases = RoleAssignment.objects.filter(ended_on__isnull=True, case__status=CaseStatus.OPEN)
    milestones = Milestone.objects.filter(status=ItemStatus.OPEN, case__status=CaseStatus.OPEN)
    reviews = Review.objects.filter(status=ItemStatus.OPEN, case__status=CaseStatus.OPEN)
    return (
        Professional.objects.filter(team__lead=lead, is_active=True)
        .select_related("team")
        .annotate(
            open_cases=Coalesce(
                Subquery(
                    cases.filter(professional=OuterRef("pk"))
                    .order_by()
                    .values("professional")
                    .annotate(n=Count("case", distinct=True))
                    .values("n"),
                    output_field=IntegerField(),
                ),
                0,
            ),
            open_milestones=_count(milestones, "accountable"),
            open_reviews=_count(reviews, "accountable"),
            overdue_milestones=_count(milestones.filter(due_date__lt=today), "accountable"),
            overdue_reviews=_count(reviews.filter(scheduled_for__lt=today), "accountable"),
            soon_milestones=_count(milestones.filter(due_date__gte=today, due_date__lte=soon), "accountable"),
            soon_reviews=_count(reviews.filter(scheduled_for__gte=today, scheduled_for__lte=soon), "accountable"),
        )
        .order_by("team__name", "family_name", "given_name")
    )


def team_member_for(*, lead: Professional, member_id: Any) -> Professional:
    """A member of a team I lead (Http404 for anyone else: another team's member, or not a
    professional at all)."""
    member = (
        Professional.objects.filter(pk=parse_uuid(member_id), team__lead=lead, is_active=True)
        .select_related("team", "agency")
        .first()
    )
    if member is None:
        raise Http404("Not found")
    return member


def visible_case_ids(*, lead: Professional, case_ids: set[Any]) -> set[Any]:
    """Which of these cases the team lead may see (a member's items on a case the lead
    cannot see are not shown to the lead)."""
    if not case_ids:
        return set()
    return set(cases_visible_to(lead).filter(pk__in=case_ids).values_list("pk", flat=True))
