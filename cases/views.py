"""The server-rendered pages of cases/: My work, cases, the case page and its
forms, people, and the team page.

Views are thin: they validate a form, call one selector or service, render.
Who may see a case is decided by cases.selectors.get_case_for (404 when not
visible, 403 when visible but not allowed); what a viewer may do on a page is
computed here from that access and handed to the template as flags.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from agencies.models import Professional
from agencies.selectors import professional_for, professional_list_visible_to
from cases import selectors, services
from cases.forms import (
    AssignmentForm,
    CaseFilterForm,
    CaseOpenForm,
    CloseCaseForm,
    GoalForm,
    HandoverForm,
    MilestoneForm,
    PersonForm,
    PersonSearchForm,
    ReviewForm,
    apply_service_errors,
)
from cases.models import Case, CaseStatus, Goal, Milestone, Review, Role
from cases.selectors import MANAGE, VIEW

PAGE_SIZE = 25


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


@dataclass
class CaseRow:
    case: Case
    my_role: str


View = Callable[..., HttpResponse]


class SignInView(LoginView):
    """Django's sign-in; professionals land on My work, service users on their portal."""

    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        user = self.request.user
        if professional_for(user) is None and hasattr(user, "person"):
            return reverse("portal:home")
        return reverse("cases:my_work")


def professional_required(view: View) -> View:
    """Signed in (else to the sign-in page) and a professional (else 403).

    Pages inside a case or about a person use plain login_required instead: for
    anyone who is not a professional on it, the selectors answer 404, so a case's
    existence never leaks."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if professional_for(request.user) is None:
            raise PermissionDenied("These pages are for professionals.")
        return view(request, *args, **kwargs)

    return wrapped


def _me(request: HttpRequest) -> Professional:
    professional = professional_for(request.user)
    if professional is None:
        raise PermissionDenied("These pages are for professionals.")
    return professional


def _paginate(request: HttpRequest, items: Any) -> tuple[Page, list[Any], str]:
    """The requested page (out-of-range or junk page numbers fall back), its
    elided page range and the query string without `page` for the links."""
    paginator = Paginator(items, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return page, list(paginator.get_elided_page_range(page.number)), params.urlencode()


# --- My work and the team page -------------------------------------------------


@login_required
def my_work(request: HttpRequest) -> HttpResponse:
    professional = professional_for(request.user)
    if professional is None:
        if hasattr(request.user, "person"):
            return redirect("portal:home")
        if request.user.is_staff:
            return redirect("admin:index")
        raise PermissionDenied("These pages are for professionals.")
    items = selectors.my_work(professional=professional)
    counts = {tag: sum(1 for i in items if i.tag == tag) for tag in ("overdue", "due_soon", "later")}
    role_labels = dict(Role.choices)
    cases = [
        CaseRow(case, role_labels.get(getattr(case, "my_role", ""), ""))
        for case in selectors.my_cases(professional=professional)
    ]
    return render(request, "cases/my_work.html", {"items": items, "counts": counts, "cases": cases})


@professional_required
def team(request: HttpRequest) -> HttpResponse:
    lead = _me(request)
    if not selectors.leads_a_team(professional=lead):
        raise PermissionDenied("The team page is for team leads.")
    today = timezone.localdate()
    due = [ItemRow(m, selectors.due_tag(m.due_date, today)) for m in selectors.team_due_items(lead=lead)]
    return render(request, "cases/team.html", {"members": list(selectors.team_overview(lead=lead)), "due_items": due})


# --- Cases -------------------------------------------------------------------------


@professional_required
def case_list(request: HttpRequest) -> HttpResponse:
    form = CaseFilterForm(request.GET or None)
    query, status = "", None
    if form.is_valid():
        query, status = form.cleaned_data["q"].strip(), form.cleaned_data["status"] or None
    cases = selectors.case_list_visible_to(user=request.user, status=status, query=query).order_by("-opened_at", "id")
    page, page_range, querystring = _paginate(request, cases)
    return render(
        request,
        "cases/case_list.html",
        {"form": form, "page": page, "page_range": page_range, "query": querystring, "filtered": bool(query or status)},
    )


@professional_required
@require_http_methods(["GET", "POST"])
def case_open(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    people = selectors.person_search_visible_to(user=request.user)
    professionals = professional_list_visible_to(user=request.user).order_by("family_name", "given_name")
    if request.method == "POST":
        form = CaseOpenForm(request.POST, people=people, professionals=professionals)
        if form.is_valid():
            try:
                case = services.case_open(
                    title=form.cleaned_data["title"],
                    people=form.cleaned_data["people"],
                    lead=form.cleaned_data["lead_professional"],
                    actor=request.user,
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, f"Case {case.reference} opened.")
                return redirect("cases:case_detail", case_id=case.id)
    else:
        initial: dict[str, Any] = {"lead_professional": me}
        if request.GET.get("person"):
            initial["people"] = [request.GET["person"]]
        form = CaseOpenForm(initial=initial, people=people, professionals=professionals)
    return render(request, "cases/case_open.html", {"form": form})


@login_required
def case_detail(request: HttpRequest, case_id: str) -> HttpResponse:
    access = selectors.get_case_for(user=request.user, case_id=case_id, perm=VIEW, request=request)
    case = access.case
    today = timezone.localdate()
    goals = [
        GoalRow(
            goal,
            [
                ItemRow(
                    m,
                    selectors.item_tag(status=m.status, due=m.due_date, today=today),
                    access.can_complete(m),
                    access.can_hand_over(m),
                )
                for m in goal.milestones.all()
            ],
        )
        for goal in selectors.case_plan(case=case)
    ]
    reviews = [
        ItemRow(
            r,
            selectors.item_tag(status=r.status, due=r.scheduled_for, today=today),
            access.can_complete(r),
            access.can_hand_over(r),
        )
        for r in selectors.case_reviews(case=case)
    ]
    team_members = list(selectors.case_team(case=case))
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "access": access,
            "can_manage": access.can_manage,
            "is_open": case.status == CaseStatus.OPEN,
            "people": list(case.people.all()),
            "team": team_members,
            "goals": goals,
            "reviews": reviews,
        },
    )


@login_required
def case_sharing(request: HttpRequest, case_id: str) -> HttpResponse:
    """The case's records, consent grid and safeguarding overrides (the sharing sections).
    The case page loads them with htmx as a fragment; without JavaScript this is a page."""
    access = selectors.get_case_for(user=request.user, case_id=case_id, perm=VIEW, request=request)
    is_htmx = bool(getattr(request, "htmx", False))
    template = "cases/case_sharing_fragment.html" if is_htmx else "cases/case_sharing.html"
    return render(request, template, {"case": access.case, "access": access})


def _form_page(
    request: HttpRequest,
    *,
    template: str,
    form: Any,
    access: Any,
    save: Callable[[dict[str, Any]], Any],
    success: str,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    """GET shows the form; a valid POST calls the service; a service refusal is
    shown inline with the input kept."""
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, success)
            return redirect("cases:case_detail", case_id=access.case.id)
    return render(request, template, {"form": form, "case": access.case, **(extra or {})})


@login_required
@require_http_methods(["GET", "POST"])
def assignment_add(request: HttpRequest, case_id: str) -> HttpResponse:
    access = selectors.get_case_for(user=request.user, case_id=case_id, perm=MANAGE, request=request)
    professionals = professional_list_visible_to(user=request.user).order_by("family_name", "given_name")
    form = AssignmentForm(request.POST or None, professionals=professionals, initial={"role": Role.CONTRIBUTOR})
    return _form_page(
        request,
        template="cases/assignment_add.html",
        form=form,
        access=access,
        save=lambda d: services.assignment_add(
            case=access.case, professional=d["professional"], role=d["role"], actor=request.user
        ),
        success="Added to the case team.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def assignment_end(request: HttpRequest, case_id: str, assignment_id: str) -> HttpResponse:
    access = selectors.get_case_for(user=request.user, case_id=case_id, perm=MANAGE, request=request)
    assignment = selectors.assignment_get_in_case(case=access.case, assignment_id=assignment_id)
    error = ""
    if request.method == "POST":
        try:
            services.assignment_end(assignment=assignment, actor=request.user)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, f"{assignment.professional.full_name}'s role has ended.")
            return redirect("cases:case_detail", case_id=access.case.id)
    return render(request, "cases/assignment_end.html", {"case": access.case, "assignment": assignment, "error": error})


@login_required
@require_http_methods(["GET", "POST"])
def goal_add(request: HttpRequest, case_id: str) -> HttpResponse:
    access = selectors.get_case_for(user=request.user, case_id=case_id, perm=MANAGE, request=request)
    form = GoalForm(request.POST or None)
    return _form_page(
        request,
        template="cases/goal_add.html",
        form=form,
        access=access,
        save=lambda d: services.goal_add(case=access.case, actor=request.user, **d),
        success="Goal added to the plan.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def milestone_add(request: HttpRequest, case_id: str) -> HttpResponse:
    access = selectors.get_case_for(user=request.user, case_id=case_id, perm=MANAGE, request=request)
    goals = selectors.case_plan(case=access.case).prefetch_related(None)
    initial = {"goal": request.GET.get("goal")} if request.method == "GET" else None
    if initial and not selectors.goal_get_in_case(case=access.case, goal_id=initial["goal"]):
        initial = None
    form = MilestoneForm(
        request.POST or None,
        initial=initial,
        goals=goals,
        team=selectors.case_team_professionals(case=access.case),
    )
    return _form_page(
        request,
        template="cases/milestone_add.html",
        form=form,
        access=access,
        save=lambda d: services.milestone_add(case=access.case, actor=request.user, **d),
        success="Milestone added to the plan.",
        extra={"has_goals": goals.exists()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_add(request: HttpRequest, case_id: str) -> HttpResponse:
    access = selectors.get_case_for(user=request.user, case_id=case_id, perm=MANAGE, request=request)
    form = ReviewForm(request.POST or None, team=selectors.case_team_professionals(case=access.case))
    return _form_page(
        request,
        template="cases/review_add.html",
        form=form,
        access=access,
        save=lambda d: services.review_add(case=access.case, actor=request.user, **d),
        success="Review added.",
    )


def _handover(
    request: HttpRequest,
    *,
    item: Milestone | Review,
    access: selectors.CaseAccess,
    kind: str,
    hand_over: Callable[[Professional], Any],
) -> HttpResponse:
    if not access.can_hand_over(item):
        raise PermissionDenied("Only the accountable professional or a case manager can hand this over.")
    team = selectors.case_team_professionals(case=access.case).exclude(pk=item.accountable_id)
    form = HandoverForm(request.POST or None, team=team)
    return _form_page(
        request,
        template="cases/handover.html",
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
    request: HttpRequest, *, item: Milestone | Review, access: selectors.CaseAccess, complete: Callable[[], Any]
) -> HttpResponse:
    if not access.can_complete(item):
        raise PermissionDenied("Only the accountable professional or a case manager can mark this complete.")
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


@login_required
@require_http_methods(["GET", "POST"])
def case_close(request: HttpRequest, case_id: str) -> HttpResponse:
    access = selectors.get_case_for(user=request.user, case_id=case_id, perm=MANAGE, request=request)
    form = CloseCaseForm(request.POST or None)
    return _form_page(
        request,
        template="cases/case_close.html",
        form=form,
        access=access,
        save=lambda d: services.case_close(case=access.case, reason=d["reason"], actor=request.user),
        success="The case is closed.",
    )


# --- People --------------------------------------------------------------------------


@professional_required
def person_list(request: HttpRequest) -> HttpResponse:
    form = PersonSearchForm(request.GET or None)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    people = selectors.person_search_visible_to(user=request.user, query=query)
    page, page_range, querystring = _paginate(request, people)
    return render(
        request,
        "cases/person_list.html",
        {"form": form, "page": page, "page_range": page_range, "query": querystring, "filtered": bool(query)},
    )


@professional_required
@require_http_methods(["GET", "POST"])
def person_register(request: HttpRequest) -> HttpResponse:
    # Coming from "Open a case": go back there with the new person ticked.
    then_open_case = (request.POST if request.method == "POST" else request.GET).get("then") == "open_case"
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.person_register(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"{person.full_name} is registered.")
            if then_open_case:
                return redirect(f"{reverse('cases:case_open')}?person={person.id}")
            return redirect("cases:person_detail", person_id=person.id)
    return render(request, "cases/person_register.html", {"form": form, "then_open_case": then_open_case})


@login_required
def person_detail(request: HttpRequest, person_id: str) -> HttpResponse:
    person = selectors.person_read(user=request.user, person_id=person_id, request=request)
    return render(
        request,
        "cases/person_detail.html",
        {
            "person": person,
            "cases": list(selectors.person_cases_visible_to(user=request.user, person=person)),
        },
    )
