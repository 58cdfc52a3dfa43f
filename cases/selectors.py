"""Every read of cases/, already filtered for the viewer through cases.sharing.

`get_case_for` is the gate for everything inside a case: 404 when the case is
not visible (so its existence does not leak), 403 when visible but the action
is not allowed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from guardian.core import ObjectPermissionChecker

from accountability.services import audit_record
from agencies.models import Professional
from agencies.selectors import is_admin, professional_for
from cases import sharing
from cases.models import (
    Case,
    CaseStatus,
    Goal,
    ItemStatus,
    Milestone,
    Person,
    Review,
    Role,
    RoleAssignment,
)

DUE_SOON_DAYS = 7

VIEW = "view"
CONTRIBUTE = "contribute"
MANAGE = "manage"


@dataclass
class CaseAccess:
    """A visible case and what the viewer may do with it (computed once per request)."""

    case: Case
    professional: Professional
    perms: set[str] = field(default_factory=set)

    @property
    def can_contribute(self) -> bool:
        return CONTRIBUTE in self.perms

    @property
    def can_manage(self) -> bool:
        return MANAGE in self.perms

    def can_complete(self, item: Milestone | Review) -> bool:
        """The accountable professional or anyone who manages the case."""
        if self.case.status != CaseStatus.OPEN or item.status != ItemStatus.OPEN:
            return False
        return self.can_manage or item.accountable_id == self.professional.id

    def can_hand_over(self, item: Milestone | Review) -> bool:
        return self.can_complete(item)


def parse_uuid(value: Any) -> uuid.UUID:
    """A malformed id is just another id the caller cannot see: 404."""
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        raise Http404("Not found") from None


def _perms_for(user: Any, case: Case, *, leads_member: bool) -> set[str]:
    perms = {VIEW}
    if case.status != CaseStatus.OPEN:
        return perms
    granted = set(ObjectPermissionChecker(user).get_perms(case))
    if "contribute_case" in granted:
        perms.add(CONTRIBUTE)
    if "manage_case" in granted or leads_member:
        perms |= {CONTRIBUTE, MANAGE}
    return perms


def get_case_for(*, user: Any, case_id: Any, perm: str = VIEW, request: Any = None) -> CaseAccess:
    """The case with the viewer's permissions; Http404 if not visible, PermissionDenied if
    visible but `perm` is not held. Refused access to an existing case is audited."""
    pk = parse_uuid(case_id)
    professional = professional_for(user)
    case = sharing.case_with_access(professional, pk)
    if case is None or professional is None:
        if Case.objects.filter(pk=pk).exists():
            audit_record(action="cases.case.access_refused", actor=user, request=request, case=pk)
        raise Http404("Not found")
    access = CaseAccess(
        case=case, professional=professional, perms=_perms_for(user, case, leads_member=case.leads_member)
    )
    if perm not in access.perms:
        raise PermissionDenied("You can see this case but not do that.")
    return access


def case_list_visible_to(*, user: Any, status: str | None = None, query: str = "") -> QuerySet[Case]:
    """The viewer's cases, newest first, with the lead professional and people loaded."""
    qs = sharing.cases_visible_to(professional_for(user)).select_related("lead_professional__agency")
    if status in CaseStatus.values:
        qs = qs.filter(status=status)
    if query:
        qs = qs.filter(Q(title__icontains=query) | Q(reference__icontains=query))
    return qs.prefetch_related(Prefetch("people", queryset=Person.objects.order_by("family_name", "given_name")))


def case_team(*, case: Case, include_ended: bool = False) -> QuerySet[RoleAssignment]:
    qs = RoleAssignment.objects.filter(case=case).select_related("professional__agency", "professional__team")
    if not include_ended:
        qs = qs.filter(ended_on__isnull=True)
    return qs.order_by("ended_on", "role", "professional__family_name")


def is_on_case_team(*, case: Case, professional: Professional) -> bool:
    return RoleAssignment.objects.filter(case=case, professional=professional, ended_on__isnull=True).exists()


def case_plan(*, case: Case) -> QuerySet[Goal]:
    """Goals with their milestones (and each milestone's accountable professional)."""
    milestones = Milestone.objects.select_related("accountable__agency").order_by("due_date", "created_at")
    return Goal.objects.filter(case=case).prefetch_related(Prefetch("milestones", queryset=milestones))


def case_reviews(*, case: Case) -> QuerySet[Review]:
    return Review.objects.filter(case=case).select_related("accountable__agency").order_by("scheduled_for")


def due_tag(due: date, today: date | None = None) -> str:
    """overdue / due_soon (within a week) / later."""
    today = today or timezone.localdate()
    if due < today:
        return "overdue"
    if due <= today + timedelta(days=DUE_SOON_DAYS):
        return "due_soon"
    return "later"


@dataclass
class WorkItem:
    kind: str  # "milestone" | "review"
    id: uuid.UUID
    title: str
    due: date
    case: Case
    tag: str


def my_work(*, professional: Professional) -> list[WorkItem]:
    """Every open milestone and review I am accountable for on open cases, soonest first."""
    today = timezone.localdate()
    milestones = (
        Milestone.objects.filter(accountable=professional, status=ItemStatus.OPEN, case__status=CaseStatus.OPEN)
        .select_related("case")
        .only("id", "title", "due_date", "case__id", "case__reference", "case__title", "case__status")
    )
    reviews = (
        Review.objects.filter(accountable=professional, status=ItemStatus.OPEN, case__status=CaseStatus.OPEN)
        .select_related("case")
        .only("id", "kind", "scheduled_for", "case__id", "case__reference", "case__title", "case__status")
    )
    items = [WorkItem("milestone", m.id, m.title, m.due_date, m.case, due_tag(m.due_date, today)) for m in milestones]
    items += [
        WorkItem("review", r.id, r.get_kind_display(), r.scheduled_for, r.case, due_tag(r.scheduled_for, today))
        for r in reviews
    ]
    items.sort(key=lambda i: (i.due, i.kind, i.title))
    return items


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


def leads_a_team(*, professional: Professional) -> bool:
    return professional.teams_led.exists()


def _milestone_or_review(model: type, *, user: Any, item_id: Any, perm: str) -> tuple[Any, CaseAccess]:
    pk = parse_uuid(item_id)
    case_id = model.objects.filter(pk=pk).values_list("case_id", flat=True).first()
    if case_id is None:
        raise Http404("Not found")
    access = get_case_for(user=user, case_id=case_id, perm=perm)
    item = model.objects.select_related("accountable__agency", "case").get(pk=pk)
    return item, access


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


# --- People -------------------------------------------------------------------


def person_list_visible_to(*, user: Any) -> QuerySet[Person]:
    """People I registered, and the people of cases I can see."""
    professional = professional_for(user)
    if professional is None:
        return Person.objects.none()
    on_my_cases = Case.people.through.objects.filter(
        person_id=OuterRef("pk"), case_id__in=sharing.visible_case_ids(professional)
    )
    return Person.objects.filter(Q(registered_by=professional) | Exists(on_my_cases))


def person_get_for(*, user: Any, person_id: Any) -> Person:
    pk = parse_uuid(person_id)
    person = person_list_visible_to(user=user).filter(pk=pk).first()
    if person is None:
        raise Http404("Not found")
    return person


def person_can_manage_portal(*, user: Any, person: Person) -> bool:
    """The lead professional of one of the person's open cases, or an admin."""
    if is_admin(user):
        return True
    professional = professional_for(user)
    if professional is None:
        return False
    return person.cases.filter(lead_professional=professional, status=CaseStatus.OPEN).exists()


def role_choices_for_form() -> list[tuple[str, str]]:
    return list(Role.choices)
