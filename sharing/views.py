"""Pages for records, consent, the safeguarding override, its review and the audit
trail, and the case page's records section. Thin: validate a form, call one
selector or service, render. Which records appear is decided by sharing.policy
through sharing.selectors; nothing here filters.

Floor 5."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from agencies.selectors import is_admin, is_information_governance_lead
from agencies.throttling import ExportThrottle, SearchThrottle, page_rate_limited
from cases import selectors as case_selectors
from cases.forms import apply_service_errors
from cases.pages import paginate, professional_required
from cases.selectors import CONTRIBUTE, VIEW, CaseAccess
from sharing import selectors, services, trail
from sharing.api.records import csv_response, csv_streaming_response
from sharing.forms import (
    AuditFilterForm,
    ConsentForm,
    OverrideForm,
    OverrideReviewForm,
    RecordForm,
    RecordSearchForm,
)

# --- The case page's section ------------------------------------------------------


def case_records_section(request: HttpRequest, access: CaseAccess) -> str:
    """The case page's records section (registered in SharingConfig.ready): a link that
    htmx replaces with `case_sharing` in its own request, so the case page stays cheap."""
    return render_to_string("sharing/_case_section.html", {"case": access.case}, request=request)


@login_required
def case_sharing(request: HttpRequest, case_id: str) -> HttpResponse:
    """The case's records, consent grid and safeguarding overrides (the sharing sections).
    The case page loads them with htmx as a fragment; without JavaScript this is a page."""
    access = case_selectors.get_case_for(user=request.user, case_id=case_id, perm=VIEW, request=request)
    is_htmx = bool(getattr(request, "htmx", False))
    template = "sharing/case_sharing_fragment.html" if is_htmx else "sharing/case_sharing.html"
    return render(
        request,
        template,
        {"access": access, **selectors.case_sharing_sections(user=request.user, case=access.case, request=request)},
    )


# --- Records ------------------------------------------------------------------------


@professional_required
@page_rate_limited(SearchThrottle)
def record_list(request: HttpRequest, case_id: str) -> HttpResponse:
    access = case_selectors.get_case_for(user=request.user, case_id=case_id, perm=VIEW, request=request)
    search = RecordSearchForm(request.GET or None)
    q = category = ""
    if search.is_valid():
        q, category = search.cleaned_data["q"], search.cleaned_data["category"]
    records = selectors.record_list_visible_to(
        user=request.user, case=access.case, query=q, category=category, request=request
    )
    page, page_range, query = paginate(request, records)
    return render(
        request,
        "sharing/record_list.html",
        {
            "case": access.case,
            "access": access,
            "search": search,
            "page": page,
            "page_range": page_range,
            "query": query,
            "overrides": list(selectors.overrides_active_for(user=request.user, case=access.case)),
        },
    )


@professional_required
@require_http_methods(["GET", "POST"])
def record_write(request: HttpRequest, case_id: str) -> HttpResponse:
    access = case_selectors.get_case_for(user=request.user, case_id=case_id, perm=CONTRIBUTE, request=request)
    corrects = None
    corrects_id = request.POST.get("corrects") or request.GET.get("corrects")
    if corrects_id:
        corrects = selectors.record_get_for(user=request.user, record_id=corrects_id, request=request)
        if corrects.case_id != access.case.id:
            raise PermissionDenied("That record is of another case.")
    people = access.case.people.order_by("family_name", "given_name")
    initial: dict[str, Any] = {}
    if corrects is not None:
        initial = {"category": corrects.category, "about": [p.pk for p in corrects.about.all()]}
    form = RecordForm(request.POST or None, people=people, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            record = services.record_write(
                case=access.case,
                category=d["category"] or None,
                text=d["text"],
                about=list(d["about"]),
                corrects=corrects,
                actor=request.user,
                request=request,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "The correction is saved." if corrects else "The record is saved.")
            return redirect("sharing:record_detail", record_id=record.id)
    return render(request, "sharing/record_form.html", {"form": form, "case": access.case, "corrects": corrects})


@professional_required
def record_detail(request: HttpRequest, record_id: str) -> HttpResponse:
    record = selectors.record_get_for(user=request.user, record_id=record_id, request=request)
    access = case_selectors.get_case_for(user=request.user, case_id=record.case_id, perm=VIEW, request=request)
    corrections = list(selectors.record_corrections(user=request.user, record=record, request=request))
    return render(
        request,
        "sharing/record_detail.html",
        {"record": record, "case": access.case, "access": access, "corrections": corrections},
    )


@professional_required
@page_rate_limited(SearchThrottle)
def record_search(request: HttpRequest) -> HttpResponse:
    search = RecordSearchForm(request.GET or None)
    q = search.cleaned_data["q"] if search.is_valid() else ""
    page, page_range, query = paginate(request, selectors.record_search(user=request.user, q=q, request=request))
    return render(
        request,
        "sharing/record_search.html",
        {"search": search, "q": q, "page": page, "page_range": page_range, "query": query},
    )


@professional_required
@page_rate_limited(ExportThrottle)
def record_export(request: HttpRequest, case_id: str) -> HttpResponse:
    access = case_selectors.get_case_for(user=request.user, case_id=case_id, perm=VIEW, request=request)
    rows = selectors.record_export_rows(user=request.user, case=access.case, request=request)
    return csv_response(rows, f"{access.case.reference}-records.csv")


# --- Consent ---------------------------------------------------------------------


def _back(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


@login_required
@require_http_methods(["GET", "POST"])
def consent_record(request: HttpRequest, person_id: str) -> HttpResponse:
    person = selectors.consent_person_get_for(user=request.user, person_id=person_id)
    form = ConsentForm(request.POST or None, agencies=selectors.consent_agency_choices())
    back = _back(request, reverse("sharing:person_consents", args=[person.id]))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.consent_record(
                person=person,
                category=d["category"] or None,
                agency=d["agency"] or None,
                purpose=d["purpose"],
                decision=d["decision"],
                valid_from=d["valid_from"],
                valid_until=d["valid_until"],
                given_by=d["given_by"],
                actor=request.user,
                request=request,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "The decision is recorded.")
            return redirect(back)
    return render(request, "sharing/consent_form.html", {"form": form, "person": person, "back": back})


@login_required
def person_consents(request: HttpRequest, person_id: str) -> HttpResponse:
    person = selectors.consent_person_get_for(user=request.user, person_id=person_id)
    consents = list(selectors.consent_list_for(user=request.user, person=person, request=request))
    for c in consents:
        c.state = selectors.consent_state(c)  # type: ignore[attr-defined]  # from its annotation, no query
    return render(
        request,
        "sharing/person_consents.html",
        {
            "person": person,
            "consents": consents,
            "grid": selectors.person_consent_grid(user=request.user, person=person, request=request),
            "overrides_told": list(selectors.overrides_told_to(person=person)),
            "is_self": person.user_id is not None and person.user_id == request.user.pk,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def consent_withdraw(request: HttpRequest, consent_id: str) -> HttpResponse:
    consent = selectors.consent_get_for(user=request.user, consent_id=consent_id)
    back = _back(request, reverse("sharing:person_consents", args=[consent.person_id]))
    error = ""
    if request.method == "POST":
        try:
            services.consent_withdraw(consent=consent, actor=request.user, request=request)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, "Consent withdrawn. It stops applying now.")
            return redirect(back)
    return render(request, "sharing/consent_withdraw.html", {"consent": consent, "back": back, "error": error})


# --- The safeguarding override ----------------------------------------------------------


@professional_required
@require_http_methods(["GET", "POST"])
def override_take(request: HttpRequest, case_id: str) -> HttpResponse:
    access = case_selectors.get_case_for(user=request.user, case_id=case_id, perm=VIEW, request=request)
    form = OverrideForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.safeguarding_access_take(
                case=access.case,
                category=d["category"] or None,
                lawful_basis=d["lawful_basis"] or None,
                justification=d["justification"],
                actor=request.user,
                request=request,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.warning(request, "Safeguarding override active for 72 hours. Every record you open is audited.")
            return redirect("sharing:record_list", case_id=access.case.id)
    return render(request, "sharing/override_form.html", {"form": form, "case": access.case})


@professional_required
@require_POST
def override_end(request: HttpRequest, access_id: str) -> HttpResponse:
    override = selectors.override_get_for_holder(user=request.user, access_id=access_id)
    try:
        services.safeguarding_access_end(access=override, actor=request.user, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "The safeguarding override has ended.")
    return redirect("cases:case_detail", case_id=override.case_id)


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    if not (is_information_governance_lead(user=request.user) or is_admin(request.user)):
        raise PermissionDenied("Only information-governance leads and administrators review overrides.")
    show_all = request.GET.get("all") == "1"
    page, page_range, query = paginate(
        request, selectors.override_review_queue(user=request.user, include_reviewed=show_all)
    )
    return render(
        request,
        "sharing/review_queue.html",
        {
            "page": page,
            "page_range": page_range,
            "query": query,
            "show_all": show_all,
            "verification": selectors.audit_last_verification(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_record(request: HttpRequest, access_id: str) -> HttpResponse:
    override = selectors.override_get_for(user=request.user, access_id=access_id)
    if not services.override_may_review(access=override, user=request.user) and not override.outcome:
        raise PermissionDenied("Only the override's assigned reviewer or an administrator can review it.")
    form = OverrideReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.safeguarding_review_record(
                access=override,
                outcome=d["outcome"] or None,
                person_may_be_told=d["person_may_be_told"],
                notes=d["notes"],
                actor=request.user,
                request=request,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "The review outcome is recorded.")
            return redirect("sharing:review_queue")
    return render(
        request,
        "sharing/review_form.html",
        {"form": form, "override": override, "opened": selectors.override_records_opened(access=override)},
    )


# --- The audit trail -------------------------------------------------------------------

AUDIT_PAGE_SIZE = 100


def _audit_filters(request: HttpRequest) -> tuple[AuditFilterForm, bool, dict[str, Any]]:
    """The trail's filter form (bound to the query string) and, when it is valid, the
    filters it stands for; 403 for anyone who may not read the trail."""
    if not selectors.can_read_audit(user=request.user):
        raise PermissionDenied("Only information-governance leads and administrators read the audit trail.")
    data = request.GET.copy()
    data.pop("page", None)
    form = AuditFilterForm(data or None, events=selectors.audit_events_visible_to(user=request.user))
    valid = form.is_valid() if form.is_bound else True
    return form, valid, (form.filters() if form.is_bound and valid else {})


def _audit_page(request: HttpRequest, form: AuditFilterForm, valid: bool, filters: dict[str, Any]) -> HttpResponse:
    events = selectors.audit_list_visible_to(
        user=request.user, filters=filters, action=selectors.AUDIT_TRAIL_VIEWED, request=request, nothing=not valid
    )
    paginator = Paginator(events, AUDIT_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "sharing/audit_trail.html",
        {
            "form": form,
            "page": page,
            "lines": trail.trail_lines(page.object_list),
            "page_range": list(paginator.get_elided_page_range(page.number)),
            "query": params.urlencode(),
            "verification": selectors.audit_last_verification(),
        },
        status=200 if valid else 400,
    )


@login_required
def audit_trail(request: HttpRequest) -> HttpResponse:
    form, valid, filters = _audit_filters(request)
    return _audit_page(request, form, valid, filters)


@login_required
@page_rate_limited(ExportThrottle)
def audit_export(request: HttpRequest) -> HttpResponseBase:
    """The filtered trail as CSV, streamed (at most AUDIT_EXPORT_LIMIT events, newest
    first), with names, case references and actions in words; a bad filter shows the
    trail page with its errors (400) rather than a file."""
    form, valid, filters = _audit_filters(request)
    if not valid:
        return _audit_page(request, form, valid, filters)
    rows = selectors.audit_export_rows(user=request.user, filters=filters, request=request)
    return csv_streaming_response(rows, "audit.csv")


@login_required
def audit_suggest(request: HttpRequest) -> HttpResponse:
    """Auto-complete for the trail's person, case and professional filters (htmx fills the
    field's datalist with these options), over the trail the caller may read."""
    if not selectors.can_read_audit(user=request.user):
        raise PermissionDenied("Only information-governance leads and administrators read the audit trail.")
    field_name = request.GET.get("field", "")
    suggestions = trail.trail_suggestions(
        user=request.user,
        events=selectors.audit_events_visible_to(user=request.user),
        field_name=field_name,
        text=request.GET.get(field_name, "") if field_name in ("person", "case", "actor") else "",
        request=request,
    )
    return render(request, "sharing/_audit_suggestions.html", {"suggestions": suggestions})


@login_required
def override_records(request: HttpRequest, access_id: str) -> HttpResponse:
    """The records opened under one override (from the audit events that name it), with the
    people they are about, for its reviewer, its holder and administrators."""
    override = selectors.override_get_for(user=request.user, access_id=access_id)
    return render(
        request,
        "sharing/override_records.html",
        {
            "override": override,
            "opened": selectors.override_records_opened_for(user=request.user, access=override, request=request),
            "may_review": services.override_may_review(access=override, user=request.user),
        },
    )


# --- Subject access requests (the information-governance lead's side) -------------------


@professional_required
def sar_queue(request: HttpRequest) -> HttpResponse:
    """The requests for a copy of records that I must answer, soonest due first."""
    return render(request, "sharing/sar_queue.html", {"requests": list(selectors.sar_queue_for(user=request.user))})


@login_required
@require_http_methods(["GET", "POST"])
def sar_detail(request: HttpRequest, sar_id: str) -> HttpResponse:
    sar = selectors.sar_get_for(user=request.user, sar_id=sar_id)
    error = ""
    if request.method == "POST":
        try:
            services.sar_complete(sar=sar, actor=request.user, request=request)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, "Marked as sent. The person sees that it is done.")
            return redirect("sharing:sar_queue")
    return render(request, "sharing/sar_detail.html", {"sar": sar, "error": error})
