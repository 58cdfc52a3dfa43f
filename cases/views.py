"""The server-rendered pages of cases/: the case list, opening a case, the case
page (its team and the sections other floors register), the case team, closing,
and people.

Views are thin: they validate a form, call one selector or service, render.
Who may see a case is decided by cases.selectors.get_case_for (404 when not
visible, 403 when visible but not allowed); what the viewer may do is asked of
the services' rights functions and handed to the template as flags.

Floor 4.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods

from agencies.selectors import professional_list_visible_to
from agencies.throttling import SearchThrottle, page_rate_limited
from cases import selectors, services
from cases.forms import (
    AssignmentForm,
    CaseFilterForm,
    CaseOpenForm,
    CloseCaseForm,
    PersonForm,
    PersonSearchForm,
    apply_service_errors,
)
from cases.models import CaseStatus, Role
from cases.pages import case_sections, form_page, me, paginate, professional_required
from cases.selectors import MANAGE, VIEW


@professional_required
@page_rate_limited(SearchThrottle)
def case_list(request: HttpRequest) -> HttpResponse:
    form = CaseFilterForm(request.GET or None)
    query, status = "", None
    if form.is_valid():
        query, status = form.cleaned_data["q"].strip(), form.cleaned_data["status"] or None
    cases = selectors.case_list_visible_to(user=request.user, status=status, query=query).order_by("-opened_at", "id")
    page, page_range, querystring = paginate(request, cases)
    return render(
        request,
        "cases/case_list.html",
        {"form": form, "page": page, "page_range": page_range, "query": querystring, "filtered": bool(query or status)},
    )


@professional_required
@require_http_methods(["GET", "POST"])
def case_open(request: HttpRequest) -> HttpResponse:
    me_ = me(request)
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
        initial: dict[str, Any] = {"lead_professional": me_}
        if request.GET.get("person"):
            initial["people"] = [request.GET["person"]]
        form = CaseOpenForm(initial=initial, people=people, professionals=professionals)
    return render(request, "cases/case_open.html", {"form": form})


@login_required
def case_detail(request: HttpRequest, case_id: str) -> HttpResponse:
    """The case, its people and team, then each registered section (cases.pages)."""
    access = selectors.get_case_for(user=request.user, case_id=case_id, perm=VIEW, request=request)
    case = access.case
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "access": access,
            "can_manage": services.case_may_manage(access=access),
            "is_open": case.status == CaseStatus.OPEN,
            "people": selectors.case_people(case=case),
            "team": selectors.case_team_list(case=case),
            "sections": [mark_safe(s.render(request, access)) for s in case_sections()],  # noqa: S308 - our templates
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def assignment_add(request: HttpRequest, case_id: str) -> HttpResponse:
    access = selectors.get_case_for(user=request.user, case_id=case_id, perm=MANAGE, request=request)
    professionals = professional_list_visible_to(user=request.user).order_by("family_name", "given_name")
    form = AssignmentForm(request.POST or None, professionals=professionals, initial={"role": Role.CONTRIBUTOR})
    return form_page(
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
def case_close(request: HttpRequest, case_id: str) -> HttpResponse:
    access = selectors.get_case_for(user=request.user, case_id=case_id, perm=MANAGE, request=request)
    form = CloseCaseForm(request.POST or None)
    return form_page(
        request,
        template="cases/case_close.html",
        form=form,
        access=access,
        save=lambda d: services.case_close(case=access.case, reason=d["reason"], actor=request.user),
        success="The case is closed.",
    )


@professional_required
@page_rate_limited(SearchThrottle)
def person_list(request: HttpRequest) -> HttpResponse:
    form = PersonSearchForm(request.GET or None)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    people = selectors.person_list_read(user=request.user, query=query, request=request)
    page, page_range, querystring = paginate(request, people)
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
