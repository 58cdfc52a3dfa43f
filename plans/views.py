"""The plan's pages: its section of the case page (goals, milestones, reviews),
adding goals, milestones and reviews, handing over and completing.

Views are thin: the case gate (cases.selectors.get_case_for) answers 404/403,
the rights functions of plans.services say what the viewer may do, and the
services refuse anything else whoever calls them.

Floor 5.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from agencies.models import Professional
from cases import selectors as case_selectors
from cases.pages import form_page
from cases.selectors import MANAGE, VIEW, CaseAccess
from plans import selectors, services
from plans.forms import GoalForm, HandoverForm, MilestoneForm, ReviewForm
from plans.models import Goal, Milestone, Review


@dataclass
class ItemRow:
    """A milestone or review as a page shows it: its status tag and what the viewer may do."""

    item: Milestone | Review
    tag: str
    can_complete: bool = False
    can_hand_over: bool = False


@dataclass
class GoalRow:
    goal: Goal
    milestones: list[ItemRow]


def _row(access: CaseAccess, item: Milestone | Review, tag: str) -> ItemRow:
    may_complete, may_hand_over = services.item_actions(access=access, item=item)
    return ItemRow(item, tag, may_complete, may_hand_over)


def case_plan_section(request: HttpRequest, access: CaseAccess) -> str:
    """The case page's plan and reviews (registered in PlansConfig.ready)."""
    case = access.case
    today = timezone.localdate()
    goals = [
        GoalRow(
            goal,
            [
                _row(access, m, selectors.item_tag(status=m.status, due=m.due_date, today=today))
                for m in goal.milestones.all()
            ],
        )
        for goal in selectors.case_plan(case=case)
    ]
    reviews = [
        _row(access, r, selectors.item_tag(status=r.status, due=r.scheduled_for, today=today))
        for r in selectors.case_reviews(case=case)
    ]
    context = {"case": case, "can_manage": services.plan_may_edit(access=access), "goals": goals, "reviews": reviews}
    return render_to_string("plans/_case_plan.html", context, request=request)


@login_required
@require_http_methods(["GET", "POST"])
def goal_add(request: HttpRequest, case_id: str) -> HttpResponse:
    access = case_selectors.get_case_for(user=request.user, case_id=case_id, perm=MANAGE, request=request)
    form = GoalForm(request.POST or None)
    return form_page(
        request,
        template="plans/goal_add.html",
        form=form,
        access=access,
        save=lambda d: services.goal_add(case=access.case, actor=request.user, **d),
        success="Goal added to the plan.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def milestone_add(request: HttpRequest, case_id: str) -> HttpResponse:
    access = case_selectors.get_case_for(user=request.user, case_id=case_id, perm=MANAGE, request=request)
    goals = selectors.case_plan(case=access.case).prefetch_related(None)
    initial = {"goal": request.GET.get("goal")} if request.method == "GET" else None
    if initial and not selectors.goal_get_in_case(case=access.case, goal_id=initial["goal"]):
        initial = None
    form = MilestoneForm(
        request.POST or None,
        initial=initial,
        goals=goals,
        team=case_selectors.case_team_professionals(case=access.case),
    )
    return form_page(
        request,
        template="plans/milestone_add.html",
        form=form,
        access=access,
        save=lambda d: services.milestone_add(case=access.case, actor=request.user, **d),
        success="Milestone added to the plan.",
        extra={"has_goals": goals.exists()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_add(request: HttpRequest, case_id: str) -> HttpResponse:
    access = case_selectors.get_case_for(user=request.user, case_id=case_id, perm=MANAGE, request=request)
    form = ReviewForm(request.POST or None, team=case_selectors.case_team_professionals(case=access.case))
    return form_page(
        request,
        template="plans/review_add.html",
        form=form,
        access=access,
        save=lambda d: services.review_add(case=access.case, actor=request.user, **d),
        success="Review added.",
    )


def _handover(
    request: HttpRequest,
    *,
    item: Milestone | Review,
    access: CaseAccess,
    kind: str,
    hand_over: Callable[[Professional], Any],
) -> HttpResponse:
    if not services.item_may_hand_over(access=access, item=item):
        raise PermissionDenied("Only the accountable professional or a case manager can hand this over.")
    team = case_selectors.case_team_professionals(case=access.case).exclude(pk=item.accountable_id)
    form = HandoverForm(request.POST or None, team=team)
    return form_page(
        request,
        template="plans/handover.html",
        form=form,
        access=access,
        save=lambda d: hand_over(d["accountable"]),
        success="Handed over.",
        extra={"item": item, "kind": kind},
    )


@login_required
@require_http_methods(["GET", "POST"])
def milestone_handover(request: HttpRequest, milestone_id: str) -> HttpResponse:
    milestone, access = selectors.milestone_get_for(user=request.user, milestone_id=milestone_id, perm=VIEW)
    return _handover(
        request,
        item=milestone,
        access=access,
        kind="milestone",
        hand_over=lambda to: services.milestone_handover(milestone=milestone, to=to, actor=request.user),
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_handover(request: HttpRequest, review_id: str) -> HttpResponse:
    review, access = selectors.review_get_for(user=request.user, review_id=review_id, perm=VIEW)
    return _handover(
        request,
        item=review,
        access=access,
        kind="review",
        hand_over=lambda to: services.review_handover(review=review, to=to, actor=request.user),
    )


def _complete(
    request: HttpRequest, *, item: Milestone | Review, access: CaseAccess, complete: Callable[[], Any]
) -> HttpResponse:
    try:
        complete()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Marked complete.")
    return redirect("cases:case_detail", case_id=access.case.id)


@login_required
@require_POST
def milestone_complete(request: HttpRequest, milestone_id: str) -> HttpResponse:
    milestone, access = selectors.milestone_get_for(user=request.user, milestone_id=milestone_id, perm=VIEW)
    return _complete(
        request,
        item=milestone,
        access=access,
        complete=lambda: services.milestone_complete(milestone=milestone, actor=request.user),
    )


@login_required
@require_POST
def review_complete(request: HttpRequest, review_id: str) -> HttpResponse:
    review, access = selectors.review_get_for(user=request.user, review_id=review_id, perm=VIEW)
    return _complete(
        request,
        item=review,
        access=access,
        complete=lambda: services.review_complete(review=review, actor=request.user),
    )
