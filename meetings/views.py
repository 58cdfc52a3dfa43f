"""The meetings' pages: the case page's meetings section, scheduling, the meeting page
(sealed before opening; views side by side after), giving one's view, opening,
attendance, decisions, closing, cancelling, and answering a dissent.

Views are thin: selectors answer 404 and audit reads, the rights functions of
meetings.services say what the viewer may do, and the services refuse anything else.
A refused POST shows the service's field messages with what was typed kept.

Floor 6.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_http_methods, require_POST

from agencies.models import Professional
from cases import selectors as case_selectors
from cases.forms import apply_service_errors
from cases.models import CaseStatus
from cases.selectors import VIEW, CaseAccess
from meetings import selectors, services
from meetings.forms import (
    ACTION_ROWS,
    ATTENDANCE_CHOICES,
    DISSENT_ROWS,
    AnswerForm,
    AttendanceForm,
    CloseForm,
    DecisionForm,
    MeetingForm,
    ViewForm,
)
from meetings.models import Meeting, MeetingStatus
from plans.selectors import case_plan


def case_meetings_section(request: HttpRequest, access: CaseAccess) -> str:
    """The case page's meetings (registered in MeetingsConfig.ready): no view content."""
    context = {
        "case": access.case,
        "meetings": selectors.case_meetings_latest(case=access.case),
        "can_schedule": services.meeting_may_schedule(access=access) and access.case.status == CaseStatus.OPEN,
    }
    return render_to_string("meetings/_case_meetings.html", context, request=request)


def _to_meeting(meeting_id: Any) -> HttpResponse:
    return redirect("meetings:meeting_detail", meeting_id=meeting_id)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_schedule(request: HttpRequest, case_id: str) -> HttpResponse:
    access = case_selectors.get_case_for(user=request.user, case_id=case_id, perm=VIEW, request=request)
    team = case_selectors.case_team_professionals(case=access.case)
    initial: dict[str, Any] = {}
    suggestion = selectors.next_meeting_get(case=access.case, suggestion_id=request.GET.get("after"))
    if suggestion is not None:
        initial = {"kind": suggestion.kind, "chair": suggestion.chair_id}
    form = MeetingForm(request.POST or None, initial=initial, team=team)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_schedule(case=access.case, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "Meeting scheduled. The invitees have been told.")
            return _to_meeting(meeting.id)
    return render(
        request,
        "meetings/schedule.html",
        {
            "form": form,
            "case": access.case,
            "suggestion": suggestion,
            "may": services.meeting_may_schedule(access=access),
        },
    )


@login_required
def meeting_detail(request: HttpRequest, meeting_id: str) -> HttpResponse:
    detail = selectors.meeting_detail(user=request.user, meeting_id=meeting_id, request=request)
    meeting, access = detail.meeting, detail.access
    may_record = services.meeting_may_record(access=access, meeting=meeting)
    context: dict[str, Any] = {
        "d": detail,
        "meeting": meeting,
        "case": access.case,
        "me": access.professional,
        "invited": any(i.professional_id == access.professional.id for i in detail.invitees),
        "gave_view": access.professional.id in detail.views_given,
        "may_open": meeting.status == MeetingStatus.SCHEDULED
        and services.meeting_may_open(access=access, meeting=meeting),
        "may_change": meeting.status == MeetingStatus.SCHEDULED
        and services.meeting_may_change(access=access, meeting=meeting),
        "may_record": meeting.status == MeetingStatus.OPEN and may_record,
        "may_correct": meeting.status == MeetingStatus.CLOSED and may_record,
        "views_given_ids": set(detail.views_given),
    }
    if context["may_record"]:
        context["attendance_choices"] = ATTENDANCE_CHOICES
    return render(request, "meetings/detail.html", context)


def view_form(
    request: HttpRequest,
    *,
    meeting: Meeting,
    form_class: type[ViewForm],
    read: Callable[[], Any],
    saved: str,
    person_id: Any = None,
) -> tuple[ViewForm, bool]:
    """Give or change one's view (the professional's page and the family's portal page): a POST
        goes to meetings.services.view_give (refusals inline, input kept); a GET shows the view that
        `read` returns (the audited read of one's own view). `person_id`: the family's person when a proxy
    gives the view. Answers the form and whether it was saved."""
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            try:
                services.view_give(meeting=meeting, actor=request.user, person_id=person_id, **form.cleaned_data)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, saved)
                return form, True
        return form, False
    view = read()
    names = ("worries", "working_well", "next_steps", "rating", "category")
    return form_class(initial={name: getattr(view, name) for name in names} if view else None), False


@login_required
@require_http_methods(["GET", "POST"])
def my_view(request: HttpRequest, meeting_id: str) -> HttpResponse:
    meeting, _ = selectors.meeting_get_for(user=request.user, meeting_id=meeting_id, request=request)
    services.view_author_for(user=request.user, meeting=meeting)
    form, saved = view_form(
        request,
        meeting=meeting,
        form_class=ViewForm,
        read=lambda: selectors.my_view(meeting=meeting, user=request.user, request=request),
        saved="Your view is saved. Nobody else reads it until the chair opens the meeting.",
    )
    if saved:
        return _to_meeting(meeting.id)
    return render(
        request,
        "meetings/my_view.html",
        {"form": form, "meeting": meeting, "case": meeting.case, "editable": meeting.status == MeetingStatus.SCHEDULED},
    )


@login_required
def view_due(request: HttpRequest, invitee_id: str) -> HttpResponse:
    """The pending-view reminder's link: to my view of that meeting."""
    invitee = selectors.invitee_get_for(user=request.user, invitee_id=invitee_id)
    return redirect("meetings:my_view", meeting_id=invitee.meeting_id)


def _refused(request: HttpRequest, exc: ValidationError) -> None:
    for field_messages in exc.message_dict.values() if hasattr(exc, "error_dict") else [exc.messages]:
        for message in field_messages:
            messages.error(request, message)


def _post_action(request: HttpRequest, meeting_id: str, act: Callable[..., Any], done: str) -> HttpResponse:
    """A button on the meeting page: the service decides; a refusal is shown as a message."""
    meeting, _ = selectors.meeting_get_for(user=request.user, meeting_id=meeting_id, request=request)
    try:
        act(meeting=meeting, actor=request.user)
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, done)
    return _to_meeting(meeting.id)


@login_required
@require_POST
def meeting_open(request: HttpRequest, meeting_id: str) -> HttpResponse:
    return _post_action(request, meeting_id, services.meeting_open, "The meeting is open and the views are shown.")


@login_required
@require_POST
def meeting_cancel(request: HttpRequest, meeting_id: str) -> HttpResponse:
    return _post_action(
        request, meeting_id, services.meeting_cancel, "The meeting is cancelled. The invitees have been told."
    )


@login_required
@require_POST
def attendance(request: HttpRequest, meeting_id: str) -> HttpResponse:
    meeting, _ = selectors.meeting_get_for(user=request.user, meeting_id=meeting_id, request=request)
    invitees = list(meeting.invitees.filter(removed_at__isnull=True).select_related("professional__agency"))
    form = AttendanceForm(request.POST, invitees=invitees)
    if form.is_valid():
        try:
            services.attendance_record(meeting=meeting, actor=request.user, attendance=form.chosen())
        except ValidationError as exc:
            _refused(request, exc)
        else:
            messages.success(request, "Attendance saved.")
    return _to_meeting(meeting.id)


def _invited(meeting: Meeting) -> Any:
    return (
        Professional.objects.filter(meeting_invitations__meeting=meeting, meeting_invitations__removed_at__isnull=True)
        .select_related("agency")
        .order_by("family_name", "given_name")
    )


@login_required
@require_http_methods(["GET", "POST"])
def decision_add(request: HttpRequest, meeting_id: str) -> HttpResponse:
    meeting, access = selectors.meeting_get_for(user=request.user, meeting_id=meeting_id, request=request)
    goals = case_plan(case=access.case).prefetch_related(None)
    form = DecisionForm(request.POST or None, invited=_invited(meeting), goals=goals)
    form.set_team(case_selectors.case_team_professionals(case=access.case))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        dissent = [
            services.DissentIn(professional=d[f"dissent_{n}_professional"], reason=d[f"dissent_{n}_reason"])
            for n in range(1, DISSENT_ROWS + 1)
            if d[f"dissent_{n}_professional"] or d[f"dissent_{n}_reason"].strip()
        ]
        actions = [
            services.ActionIn(
                goal=d[f"action_{n}_goal"],
                title=d[f"action_{n}_title"],
                due_date=d[f"action_{n}_due_date"],
                accountable=d[f"action_{n}_accountable"],
                plain_summary=d[f"action_{n}_plain_summary"],
            )
            for n in range(1, ACTION_ROWS + 1)
            if d[f"action_{n}_goal"] or d[f"action_{n}_title"].strip() or d[f"action_{n}_due_date"]
        ]
        try:
            services.decision_record(
                meeting=meeting,
                actor=request.user,
                text=d["text"],
                agreed_by=d["agreed_by"],
                dissent=dissent,
                actions=actions,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "Decision recorded.")
            return _to_meeting(meeting.id)
    return render(request, "meetings/decision_add.html", {"form": form, "meeting": meeting, "case": access.case})


@login_required
@require_http_methods(["GET", "POST"])
def meeting_close(request: HttpRequest, meeting_id: str) -> HttpResponse:
    meeting, access = selectors.meeting_get_for(user=request.user, meeting_id=meeting_id, request=request)
    form = CloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_close(meeting=meeting, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "The meeting is closed; the next meeting is suggested on the chair's work.")
            return _to_meeting(meeting.id)
    return render(request, "meetings/close.html", {"form": form, "meeting": meeting, "case": access.case})


@login_required
@require_http_methods(["GET", "POST"])
def dissent_answer(request: HttpRequest, dissent_id: str) -> HttpResponse:
    dissent = selectors.dissent_read(user=request.user, dissent_id=dissent_id, request=request)
    form = AnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.dissent_answer(dissent=dissent, actor=request.user, answer=form.cleaned_data["answer"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "Your answer is kept with the decision.")
            return redirect("workspace:my_work")
    return render(request, "meetings/dissent_answer.html", {"form": form, "dissent": dissent})
