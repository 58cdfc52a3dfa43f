"""The plan's pages: its section of the case page (goals, milestones, reviews),
adding goals, milestones and reviews, handing over and completing.

Views are thin: the case gate (cases.selectors.get_case_for) answers 404/403,
the rights functions of plans.services say what the viewer may do, and the
services refuse anything else whoever calls them.

Floor 5.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from agencies.models import Professional
from cases import selectors as case_selectors
from cases.models import CaseStatus
from cases.pages import LinkTo, form_page
from cases.selectors import MANAGE, VIEW, CaseAccess
from plans import selectors, services
from plans.forms import (
    GoalForm,
    GoalOutcomeForm,
    HandoverForm,
    MilestoneEditForm,
    MilestoneForm,
    RedateForm,
    ReviewForm,
)
from plans.models import Goal, Milestone, Review


@dataclass
class ItemRow:
    """A milestone or review as a page shows it: its status tag, what the viewer may do and
    the links of those actions (`links`: action -> path, for the actions allowed)."""

    item: Milestone | Review
    tag: str
    can_complete: bool = False
    can_hand_over: bool = False
    actions: services.ItemActions = services.ItemActions()
    links: dict[str, str] = field(default_factory=dict)

    @cached_property
    def history(self) -> list[dict[str, Any]]:
        return history_lines(self.item.history)


@dataclass
class GoalRow:
    goal: Goal
    milestones: list[ItemRow]

    @cached_property
    def history(self) -> list[dict[str, Any]]:
        return history_lines(self.goal.history)


_CHANGE_WORDS = {
    "due_date": "Date changed",
    "cancelled": "Cancelled",
    "reopened": "Reopened",
    "completed": "Marked complete",
    "completion_undone": "Completion undone",
    "edited": "Edited",
    "achieved": "Marked achieved",
    "not_achieved": "Marked not achieved",
    "active": "Achievement taken back",
}


def _day(value: Any) -> Any:
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return value


def history_lines(history: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """An item's history as the page shows it, newest first: what changed in words, dates as dates."""
    lines = []
    for entry in reversed(history or []):
        change = str(entry.get("change", ""))
        lines.append(
            {
                "what": _CHANGE_WORDS.get(change, change.replace("_", " ").capitalize()),
                "at": _day(entry.get("at", "")),
                "by": entry.get("by_name", ""),
                "from": _day(entry["from"]) if change == "due_date" and "from" in entry else None,
                "to": _day(entry["to"]) if change == "due_date" and "to" in entry else None,
                "reason": entry.get("reason", ""),
                "reason_for_person": entry.get("reason_for_person", ""),
            }
        )
    return lines


_ACTIONS = ("complete", "hand_over", "redate", "cancel", "reopen", "undo")
_URL_NAMES = {
    "complete": "complete",
    "hand_over": "handover",
    "redate": "redate",
    "cancel": "cancel",
    "reopen": "reopen",
    "undo": "complete_undo",
    "edit": "edit",
}


class _ActionLinks:
    """The links of an item's actions, each URL resolved once per page (cases.pages.LinkTo)."""

    def __init__(self, kind: str) -> None:
        self._kind = kind
        self._links: dict[str, LinkTo] = {}

    def __call__(self, action: str, pk: Any) -> str:
        if action not in self._links:
            self._links[action] = LinkTo(f"plans:{self._kind}_{_URL_NAMES[action]}")
        return self._links[action](pk)


def _row(access: CaseAccess, item: Milestone | Review, tag: str, links: _ActionLinks, editable: bool) -> ItemRow:
    actions = services.item_actions(access=access, item=item)
    allowed = [a for a in _ACTIONS if getattr(actions, a)]
    if editable:
        allowed.append("edit")
    return ItemRow(item, tag, actions.complete, actions.hand_over, actions, {a: links(a, item.pk) for a in allowed})


def case_plan_section(request: HttpRequest, access: CaseAccess) -> str:
    """The case page's plan and reviews (registered in PlansConfig.ready)."""
    case = access.case
    today = timezone.localdate()
    can_manage = services.plan_may_edit(access=access)
    milestone_links, review_links = _ActionLinks("milestone"), _ActionLinks("review")
    goals = [
        GoalRow(
            goal,
            [
                _row(
                    access,
                    m,
                    selectors.item_tag(status=m.status, due=m.due_date, today=today),
                    milestone_links,
                    editable=can_manage and m.status == "open",
                )
                for m in milestones
            ],
        )
        for goal, milestones in selectors.case_plan_goals(case=case)
    ]
    reviews = [
        _row(access, r, selectors.item_tag(status=r.status, due=r.scheduled_for, today=today), review_links, False)
        for r in selectors.case_review_list(case=case)
    ]
    context = {"case": case, "can_manage": can_manage, "goals": goals, "reviews": reviews}
    return render_to_string("plans/_case_plan.html", context, request=request)


@login_required
@require_http_methods(["GET", "POST"])
def goal_add(request: HttpRequest, case_id: str) -> HttpResponse:
    access = case_selectors.get_case_for(user=request.user, case_id=case_id, perm=MANAGE, request=request)
    form = GoalForm(request.POST or None)
    return form_page(
        request,
        template="plans/goal_form.html",
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
    _refuse_unless(
        services.item_may_hand_over(access=access, item=item),
        access,
        "Only the accountable professional or a case manager can hand this over.",
    )
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


def _back_to(access: CaseAccess, anchor: str) -> HttpResponse:
    return redirect(f"{reverse('cases:case_detail', args=[access.case.id])}#{anchor}")


def _refuse_unless(allowed: bool, access: CaseAccess, message: str) -> None:
    """403 when the viewer lacks the bare right. On a closed case nobody holds one (its access is
    view only), so the page goes on to the service, which says the case is closed, as the API's
    400 does (decision 0085)."""
    if not allowed and access.case.status == CaseStatus.OPEN:
        raise PermissionDenied(message)


def _confirm(
    request: HttpRequest,
    *,
    access: CaseAccess,
    item: Milestone | Review,
    allowed: bool,
    question: str,
    explain: str,
    button: str,
    act: Callable[[], Any],
    success: str,
) -> HttpResponse:
    """A confirmation step: GET asks (and changes nothing); POST does it through the service."""
    _refuse_unless(allowed, access, "You cannot do this to this item.")
    kind = "milestone" if isinstance(item, Milestone) else "review"
    if request.method == "POST":
        try:
            act()
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, success)
        return _back_to(access, f"{kind}-{item.id}")
    return render(
        request,
        "plans/confirm.html",
        {
            "case": access.case,
            "item": item,
            "kind": kind,
            "question": question,
            "explain": explain,
            "button": button,
            "back": f"{reverse('cases:case_detail', args=[access.case.id])}#{kind}-{item.id}",
        },
    )


def _item(kind: str, request: HttpRequest, item_id: str) -> tuple[Any, CaseAccess]:
    if kind == "milestone":
        return selectors.milestone_get_for(user=request.user, milestone_id=item_id, perm=VIEW)
    return selectors.review_get_for(user=request.user, review_id=item_id, perm=VIEW)


def _name(item: Milestone | Review) -> str:
    if isinstance(item, Milestone):
        return f"“{item.title}”, due {item.due_date:%-d %b %Y}"
    return f"{item.get_kind_display()} on {item.scheduled_for:%-d %b %Y}"


_UNDO = f"You can undo this for {services.UNDO_HOURS} hours from the case page."


Item = Milestone | Review


def _confirm_view(
    kind: str,
    *,
    act: str,
    allowed: Callable[[CaseAccess, Item], bool],
    question: str,
    explain: Callable[[Item], str],
    button: str,
    success: str,
) -> Callable[..., HttpResponse]:
    """A confirmed action on a milestone or review: `act` names the service of plans.services
    (`<kind>_<act>`, looked up when the request comes); `allowed` the right the page checks
    before asking: only who may act, never the item's or the case's state, which the service
    refuses with a ValidationError shown as an error message on the case page (decision 0085)."""

    @login_required
    @require_http_methods(["GET", "POST"])
    def view(request: HttpRequest, item_id: str) -> HttpResponse:
        item, access = _item(kind, request, item_id)
        return _confirm(
            request,
            access=access,
            item=item,
            allowed=allowed(access, item),
            question=question,
            explain=explain(item),
            button=button,
            act=lambda: getattr(services, f"{kind}_{act}")(**{kind: item, "actor": request.user}),
            success=success,
        )

    return view


def _completing(kind: str) -> Callable[..., HttpResponse]:
    return _confirm_view(
        kind,
        act="complete",
        allowed=lambda access, item: services.item_may_complete(access=access, item=item),
        question=f"Mark this {kind} complete?",
        explain=lambda item: f"{_name(item)}. {_UNDO}",
        button="Yes, mark it complete",
        success=f"Marked complete. {_UNDO}",
    )


def _undoing(kind: str) -> Callable[..., HttpResponse]:
    return _confirm_view(
        kind,
        act="complete_undo",
        allowed=lambda access, item: services.item_completion_may_undo(access=access, item=item),
        question=f"Undo marking this {kind} complete?",
        explain=lambda item: f"{_name(item)}. It will be open again, with its reminders.",
        button="Yes, undo it",
        success="Completion undone: it is open again.",
    )


def _cancelling(kind: str) -> Callable[..., HttpResponse]:
    return _confirm_view(
        kind,
        act="cancel",
        allowed=lambda access, item: services.item_may_cancel(access=access),
        question=f"Cancel this {kind}?",
        explain=lambda item: (
            f"{_name(item)}. It stops counting as work and nobody is reminded of it; "
            f"{item.accountable.full_name} is told. You can reopen it later."
        ),
        button="Yes, cancel it",
        success="Cancelled.",
    )


def _reopening(kind: str) -> Callable[..., HttpResponse]:
    return _confirm_view(
        kind,
        act="reopen",
        allowed=lambda access, item: services.item_may_reopen(access=access),
        question=f"Reopen this {kind}?",
        explain=lambda item: (
            f"{_name(item)}. It is open again, with its reminders; {item.accountable.full_name} is told."
        ),
        button="Yes, reopen it",
        success="Reopened.",
    )


milestone_complete = _completing("milestone")
review_complete = _completing("review")
milestone_complete_undo = _undoing("milestone")
review_complete_undo = _undoing("review")
milestone_cancel = _cancelling("milestone")
review_cancel = _cancelling("review")
milestone_reopen = _reopening("milestone")
review_reopen = _reopening("review")


def _renamed(exc: ValidationError, names: dict[str, str]) -> ValidationError:
    if not hasattr(exc, "error_dict"):
        return exc
    return ValidationError({names.get(field, field): errors for field, errors in exc.error_dict.items()})


def _redate_view(kind: str) -> Callable[..., HttpResponse]:
    field = "due_date" if kind == "milestone" else "scheduled_for"

    @login_required
    @require_http_methods(["GET", "POST"])
    def view(request: HttpRequest, item_id: str) -> HttpResponse:
        item, access = _item(kind, request, item_id)
        # Only the bare right here: a closed case or an item no longer open is the service's
        # message on the form, as the API's 400 (decision 0085).
        _refuse_unless(
            services.item_may_redate(access=access, item=item),
            access,
            "Only the accountable professional or a case manager can move this.",
        )

        def save(d: dict[str, Any]) -> None:
            try:
                if kind == "milestone":
                    services.milestone_redate(
                        milestone=item,
                        due_date=d["new_date"],
                        reason=d["reason"],
                        reason_for_person=d.get("reason_for_person", ""),
                        actor=request.user,
                    )
                else:
                    services.review_redate(
                        review=item,
                        scheduled_for=d["new_date"],
                        reason=d["reason"],
                        reason_for_person=d.get("reason_for_person", ""),
                        actor=request.user,
                    )
            except ValidationError as exc:
                raise _renamed(exc, {field: "new_date"}) from None

        form = RedateForm(request.POST or None, initial={"new_date": getattr(item, field)})
        return form_page(
            request,
            template="plans/redate.html",
            form=form,
            access=access,
            save=save,
            success="The date is changed; the reason is kept in its history.",
            extra={"item": item, "kind": kind, "name": _name(item), "history": history_lines(item.history)},
        )

    return view


milestone_redate = _redate_view("milestone")
review_redate = _redate_view("review")


@login_required
@require_http_methods(["GET", "POST"])
def milestone_edit(request: HttpRequest, milestone_id: str) -> HttpResponse:
    milestone, access = selectors.milestone_get_for(user=request.user, milestone_id=milestone_id, perm=MANAGE)
    form = MilestoneEditForm(
        request.POST or None, initial={"title": milestone.title, "plain_summary": milestone.plain_summary}
    )
    return form_page(
        request,
        template="plans/milestone_edit.html",
        form=form,
        access=access,
        save=lambda d: services.milestone_update(milestone=milestone, actor=request.user, **d),
        success="Milestone saved.",
        extra={"item": milestone},
    )


@login_required
@require_http_methods(["GET", "POST"])
def goal_edit(request: HttpRequest, goal_id: str) -> HttpResponse:
    goal, access = selectors.goal_get_for(user=request.user, goal_id=goal_id, perm=MANAGE)
    fields = ("description", "measure", "target_date", "plain_summary")
    form = GoalForm(request.POST or None, initial={name: getattr(goal, name) for name in fields})
    return form_page(
        request,
        template="plans/goal_form.html",
        form=form,
        access=access,
        save=lambda d: services.goal_update(goal=goal, actor=request.user, **d),
        success="Goal saved.",
        extra={"goal": goal, "history": history_lines(goal.history)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def goal_outcome(request: HttpRequest, goal_id: str) -> HttpResponse:
    goal, access = selectors.goal_get_for(user=request.user, goal_id=goal_id, perm=MANAGE)
    form = GoalOutcomeForm(request.POST or None)
    return form_page(
        request,
        template="plans/goal_outcome.html",
        form=form,
        access=access,
        save=lambda d: services.goal_outcome_record(goal=goal, actor=request.user, **d),
        success="The goal's outcome is recorded.",
        extra={"goal": goal},
    )
