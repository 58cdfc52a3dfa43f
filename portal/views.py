"""The person's own pages (and, for a parent or carer with proxy access, the pages of
each person they may see, under /portal/for/<person id>/). Every page resolves whose
portal it is through portal.selectors.portal_subject_for: 404 for anyone else's.

Floor 6.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import gettext, override
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from agencies import accounts
from cases import selectors as case_selectors
from cases.forms import apply_service_errors
from cases.selectors import CaseAccess
from portal import selectors, services
from portal.forms import CATEGORY_WORDS, FeedbackForm, MessageForm, SharingChoiceForm
from portal.language import language_for_tag
from portal.selectors import PortalSubject
from sharing import selectors as sharing_selectors
from sharing.models import Category, ConsentDecision

STATE_WORDS = {
    "shared": _("They can see it. You said yes."),
    "refused": _("They cannot see it. You said no."),
    "withdrawn": _("They cannot see it. You took back your yes."),
    "expired": _("They cannot see it now. Your yes has ended."),
    "not_yet": _("Not yet. Your yes starts later."),
    "not_shared": _("They cannot see it. Nobody has asked you yet."),
}


def _subject(request: HttpRequest, person_id: str | None) -> PortalSubject:
    if selectors.person_for(request.user) is None:
        raise PermissionDenied("The portal is for the people a plan is about.")
    return selectors.portal_subject_for(user=request.user, person_id=person_id)


def _page(request: HttpRequest, template: str, subject: PortalSubject, **context: Any) -> HttpResponse:
    portals = selectors.portals_for(user=request.user)
    return render(
        request,
        template,
        {"subject": subject, "person": subject.person, "portals": portals if len(portals) > 1 else [], **context},
    )


@login_required
def home(request: HttpRequest, person_id: str | None = None) -> HttpResponse:
    subject = _subject(request, person_id)
    plans = selectors.portal_plan(subject=subject, user=request.user, request=request)
    return _page(request, "portal/home.html", subject, plans=plans)


@login_required
def workers(request: HttpRequest, person_id: str | None = None) -> HttpResponse:
    subject = _subject(request, person_id)
    plans = selectors.portal_plan(subject=subject, user=request.user, request=request)
    return _page(request, "portal/workers.html", subject, plans=plans)


@login_required
@require_http_methods(["GET", "POST"])
def messages_page(request: HttpRequest, person_id: str | None = None) -> HttpResponse:
    subject = _subject(request, person_id)
    cases = list(selectors.portal_cases(subject=subject))
    form = MessageForm(
        request.POST or None,
        cases=selectors.portal_cases(subject=subject),
        initial={"case": cases[0] if cases else None},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.message_send(
                subject=subject,
                case=form.cleaned_data["case"],
                text=form.cleaned_data["text"],
                actor=request.user,
                request=request,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, gettext("Your message is sent. Your lead worker will reply soon."))
            return redirect(f"{subject.url_prefix}messages/")
    thread = list(selectors.message_thread(subject=subject, user=request.user, request=request))
    return _page(request, "portal/messages.html", subject, form=form, thread=thread, has_plan=bool(cases))


@login_required
@require_http_methods(["GET", "POST"])
def say(request: HttpRequest, person_id: str | None = None) -> HttpResponse:
    subject = _subject(request, person_id)
    cases = list(selectors.portal_cases(subject=subject))
    form = FeedbackForm(
        request.POST or None,
        cases=selectors.portal_cases(subject=subject),
        initial={"case": cases[0] if cases else None},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.feedback_give(
                subject=subject,
                case=d["case"],
                rating=d["rating"],
                comment=d["comment"],
                actor=request.user,
                request=request,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, gettext("Thank you. Your lead worker will see what you said."))
            return redirect(f"{subject.url_prefix}say/")
    return _page(
        request,
        "portal/say.html",
        subject,
        form=form,
        latest=selectors.feedback_latest(subject=subject),
        has_plan=bool(cases),
    )


def _sharing_rows(request: HttpRequest, subject: PortalSubject) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Per agency, each kind of information in plain words; and every decision, newest first,
    with who wrote it down and when."""
    grid = sharing_selectors.person_consent_grid(user=request.user, person=subject.person, request=request)
    deciding = {(c.category, c.agency_id): c for c in grid.consents if getattr(c, "state", "") == "shared"}
    rows = []
    for agency in grid.agencies:
        items = []
        for row in grid.rows:
            state = {a.pk: st for a, st in row.cells}[agency.pk]
            words = CATEGORY_WORDS.get(Category(row.category))
            if words is None:
                continue
            items.append(
                {
                    "what": words[0],
                    "why": words[1],
                    "state": state,
                    "words": STATE_WORDS.get(state, STATE_WORDS["not_shared"]),
                    "consent": deciding.get((row.category, agency.pk)),
                }
            )
        rows.append({"agency": agency, "items": items})
    decisions = [
        {
            "consent": c,
            "what": CATEGORY_WORDS.get(Category(c.category), (c.get_category_display(), ""))[0],
            "yes": c.decision == ConsentDecision.GIVEN,
            "by": c.recorded_by.full_name
            if c.recorded_by
            else (gettext("You") if c.recorded_by_user_id == request.user.pk else c.given_by),
        }
        for c in grid.consents
    ]
    return rows, decisions


@login_required
def information(request: HttpRequest, person_id: str | None = None) -> HttpResponse:
    subject = _subject(request, person_id)
    if not subject.may_see_sharing:
        raise PermissionDenied("You can see this plan, but not who it is shared with.")
    rows, decisions = _sharing_rows(request, subject)
    return _page(
        request,
        "portal/information.html",
        subject,
        rows=rows,
        decisions=decisions,
        told=selectors.overrides_told(subject=subject),
    )


@login_required
@require_http_methods(["GET", "POST"])
def information_change(request: HttpRequest, person_id: str | None = None) -> HttpResponse:
    """Say yes or no, step 1 of 2: who, what, yes or no. Then the check-your-answers page."""
    subject = _subject(request, person_id)
    if not subject.may_change_sharing:
        raise PermissionDenied("You can see this plan, but not change what is shared.")
    form = SharingChoiceForm(request.POST or request.GET or None, agencies=selectors.journey_agencies(subject=subject))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        return _page(
            request,
            "portal/information_check.html",
            subject,
            agency=d["agency"],
            category=d["category"],
            what=CATEGORY_WORDS[d["category"]][0],
            decision=d["decision"],
            yes=d["decision"] == ConsentDecision.GIVEN,
        )
    return _page(request, "portal/information_change.html", subject, form=form)


@login_required
@require_http_methods(["POST"])
def information_confirm(request: HttpRequest, person_id: str | None = None) -> HttpResponse:
    """Step 2 of 2: the person checked their answers; the decision applies at once."""
    subject = _subject(request, person_id)
    if not subject.may_change_sharing:
        raise PermissionDenied("You can see this plan, but not change what is shared.")
    form = SharingChoiceForm(request.POST, agencies=selectors.journey_agencies(subject=subject))
    if not form.is_valid():
        return _page(request, "portal/information_change.html", subject, form=form)
    d = form.cleaned_data
    try:
        services.sharing_decide(
            subject=subject,
            agency=d["agency"],
            category=d["category"],
            decision=d["decision"],
            actor=request.user,
            request=request,
        )
    except ValidationError as exc:
        apply_service_errors(form, exc)
        return _page(request, "portal/information_change.html", subject, form=form)
    messages.success(request, gettext("Done. This works now. Your lead worker has been told."))
    return redirect(f"{subject.url_prefix}information/")


@login_required
@require_http_methods(["GET", "POST"])
def information_withdraw(request: HttpRequest, consent_id: str, person_id: str | None = None) -> HttpResponse:
    """Take back a yes: a check-your-answers page, then it stops at once."""
    subject = _subject(request, person_id)
    if not subject.may_change_sharing:
        raise PermissionDenied("You can see this plan, but not change what is shared.")
    consent = sharing_selectors.consent_get_for(user=request.user, consent_id=consent_id)
    if consent.person_id != subject.person.pk:
        raise Http404("Not found")
    what = CATEGORY_WORDS.get(Category(consent.category), (consent.get_category_display(), ""))[0]
    error = ""
    if request.method == "POST":
        try:
            services.sharing_withdraw(subject=subject, consent=consent, actor=request.user, request=request)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, gettext("Done. They cannot see it now. Your lead worker has been told."))
            return redirect(f"{subject.url_prefix}information/")
    return _page(request, "portal/information_withdraw.html", subject, consent=consent, what=what, error=error)


@login_required
def looked(request: HttpRequest, person_id: str | None = None) -> HttpResponse:
    """Who has looked at my information: agencies and roles, never names."""
    subject = _subject(request, person_id)
    if not subject.may_see_sharing:
        raise PermissionDenied("You can see this plan, but not who has looked at this information.")
    selectors.audit_portal_read("portal.access_log.viewed", subject=subject, user=request.user, request=request)
    return _page(request, "portal/looked.html", subject, lines=selectors.access_log_lines(subject=subject))


@login_required
@require_http_methods(["GET", "POST"])
def copy(request: HttpRequest, person_id: str | None = None) -> HttpResponse:
    """A copy of my records: one button; then its status and the date it is due."""
    subject = _subject(request, person_id)
    error = ""
    if request.method == "POST":
        try:
            services.records_copy_request(subject=subject, actor=request.user, request=request)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, gettext("We have your request. We will send you a copy."))
            return redirect(f"{subject.url_prefix}copy/")
    requests = list(sharing_selectors.sar_list_for_person(person=subject.person)) if subject.is_self else []
    return _page(request, "portal/copy.html", subject, requests=requests, error=error)


@require_http_methods(["GET", "POST"])
def welcome(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The one-time link the lead worker gave: the person chooses their own password."""
    try:
        user = get_user_model().objects.get(pk=force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError, get_user_model().DoesNotExist):
        user = None
    valid = (
        user is not None
        and not user.has_usable_password()
        and hasattr(user, "person")
        and default_token_generator.check_token(user, token)
    )
    if not valid or user is None:
        return render(request, "portal/welcome.html", {"valid": False}, status=404)
    # Not signed in yet, but the link says whose it is: the page is in their language.
    with override(language_for_tag(user.person.preferred_language)):
        form = SetPasswordForm(user, request.POST or None)
        if request.method == "POST" and form.is_valid():
            services.portal_password_chosen(user=user, form=form, request=request)
            messages.success(request, gettext("Your password is set. Now sign in."))
            return redirect("login")
        return render(request, "portal/welcome.html", {"valid": True, "form": form})


# --- The case page's portal section (professionals) -------------------------------------


def case_portal_section(request: HttpRequest, access: CaseAccess) -> str:
    """Registered in PortalConfig.ready(): a link htmx replaces with `case_portal`."""
    return render_to_string("portal/_case_section.html", {"case": access.case}, request=request)


@login_required
def case_portal(request: HttpRequest, case_id: str) -> HttpResponse:
    """What the person sees and says: the plain title, items they cannot see yet, their
    latest rating beside the plan, and their messages with a reply form."""
    access = case_selectors.get_case_for(user=request.user, case_id=case_id, request=request)
    view = selectors.case_portal_view(case=access.case, user=request.user, request=request)
    template = "portal/_case_portal.html" if getattr(request, "htmx", False) else "portal/case_portal.html"
    return render(
        request,
        template,
        {
            "case": access.case,
            "view": view,
            "may_reply": services.message_may_reply(access=access),
            "people": list(access.case.people.all()),
        },
    )


@login_required
@require_http_methods(["POST"])
def case_portal_reply(request: HttpRequest, case_id: str) -> HttpResponse:
    access = case_selectors.get_case_for(user=request.user, case_id=case_id, request=request)
    try:
        services.message_reply(
            case=access.case,
            person_id=request.POST.get("person"),
            text=request.POST.get("text", ""),
            actor=request.user,
            request=request,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Your reply is in the person's portal.")
    return redirect("portal_team:case_portal", case_id=access.case.id)


# --- How you sign in: passkeys --------------------------------------------------------


def _own_subject(request: HttpRequest) -> PortalSubject:
    """The person's own portal only: a passkey is the signed-in account's own, never a proxy's
    business for someone else."""
    return _subject(request, None)


def _verified_first(request: HttpRequest) -> HttpResponse | None:
    """A person who has a passkey (or an app) and has not used it in this session uses it first:
    a stolen password alone must not remove one or add another."""
    if accounts.has_second_factor(request.user) and not accounts.session_is_verified(request.user):
        from urllib.parse import urlencode

        return redirect(f"{reverse('workspace:two_factor_verify')}?{urlencode({'next': request.get_full_path()})}")
    return None


@login_required
def sign_in(request: HttpRequest) -> HttpResponse:
    """Add a passkey (django-otp-webauthn's registration, its script a static file under the CSP
    nonce) or remove one. Up to the person: a service user is never made to have one."""
    subject = _own_subject(request)
    if (verify := _verified_first(request)) is not None:
        return verify
    return _page(request, "portal/sign_in.html", subject, passkeys=accounts.passkeys_of(request.user))


@login_required
@require_http_methods(["GET", "POST"])
def passkey_remove(request: HttpRequest, passkey_id: str) -> HttpResponse:
    """Are you sure? Then remove the passkey. Anyone else's passkey: 404."""
    subject = _own_subject(request)
    passkey = accounts.passkey_of(user=request.user, passkey_id=passkey_id)
    if passkey is None:
        raise Http404("Not found")
    if (verify := _verified_first(request)) is not None:
        return verify
    if request.method == "POST":
        accounts.passkey_remove(user=request.user, passkey_id=passkey.pk, request=request)
        messages.success(request, _("Your passkey is removed. You can still sign in with your password."))
        return redirect("portal:sign_in")
    return _page(request, "portal/passkey_remove.html", subject, passkey=passkey)
