"""Pages of families and portal access on the professional side: the case page's family
section (households, relationships, portal accounts and proxies), recording a
relationship, giving a person a portal account (a one-time set-password link to hand
over or print), linking, freezing and ending a proxy, and the case's plain title.

Views are thin: the person is reached through cases.selectors (404 when not visible),
rights are the services' (403 when visible but not allowed).

Floor 4.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from cases import plainwords, selectors, services
from cases.forms import DATE_ERRORS, DateInput, apply_service_errors
from cases.models import Person, ProxyScope, RelationshipKind
from cases.pages import professional_required
from cases.selectors import MANAGE, CaseAccess


def case_family_section(request: HttpRequest, access: CaseAccess) -> str:
    """The case page's family section: a link that htmx replaces with `case_family` in its
    own request, so the case page's query count stays small and constant."""
    return render_to_string("cases/_family_section.html", {"case": access.case}, request=request)


@login_required
def case_family(request: HttpRequest, case_id: str) -> HttpResponse:
    """The family: a genogram-style list of each person, who they are to the others, where
    they live, their portal account and who else sees their portal. A fragment for htmx,
    else a page."""
    access = selectors.get_case_for(user=request.user, case_id=case_id, request=request)
    family = selectors.case_family(user=request.user, case=access.case, request=request)
    # Who may manage each person's portal access is the services' rule (the lead professional of
    # one of the person's open cases, or an admin), asked once for all the family.
    today = timezone.localdate()
    manageable = services.proxy_manageable_ids(actor=request.user, people=[m.person for m in family])
    rows = [
        {
            "member": m,
            "age": selectors.age_on(m.person.date_of_birth, today),
            "may_manage_portal": m.person.pk in manageable,
            "proxies": [(p, selectors.proxy_in_force(p, today)) for p in m.proxies],
        }
        for m in family
    ]
    template = "cases/_family.html" if getattr(request, "htmx", False) else "cases/case_family.html"
    context = {
        "case": access.case,
        "rows": rows,
        "households": selectors.family_households(family),
        # Recording households and relationships: the services' rule, for the case's people.
        "may_change_family": services.family_may_change(actor=request.user, people=[m.person for m in family]),
    }
    return render(request, template, context)


class RelationshipForm(forms.Form):
    kind = forms.ChoiceField(label="They are the", choices=RelationshipKind.choices)
    to = forms.ModelChoiceField(
        label="Of", queryset=Person.objects.none(), error_messages={"required": "Choose a person."}
    )
    parental_responsibility = forms.BooleanField(label="Holds parental responsibility", required=False)


@professional_required
@require_http_methods(["GET", "POST"])
def relationship_add(request: HttpRequest, person_id: str) -> HttpResponse:
    person = selectors.person_get_for(user=request.user, person_id=person_id)
    form = RelationshipForm(request.POST or None)
    form.fields["to"].queryset = selectors.person_search_visible_to(user=request.user).exclude(pk=person.pk)  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        try:
            services.relationship_add(person=person, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "The relationship is recorded.")
            return redirect("cases:person_detail", person_id=person.id)
    return render(request, "cases/relationship_add.html", {"form": form, "person": person})


class PortalAccountForm(forms.Form):
    username = forms.CharField(
        label="Username",
        max_length=150,
        help_text="The person signs in with this. They choose their own password with the link you give them.",
        error_messages={"required": "Choose a username."},
    )


@professional_required
@require_http_methods(["GET", "POST"])
def portal_account(request: HttpRequest, person_id: str) -> HttpResponse:
    """Give the person a portal account, or a new one-time link while they have not yet
    chosen a password. The link is shown once, to hand over or print."""
    person = selectors.person_get_for_portal_account(user=request.user, person_id=person_id)
    form = PortalAccountForm(request.POST or None)
    link = ""
    if request.method == "POST":
        try:
            if person.user_id is None:
                if form.is_valid():
                    user = services.person_portal_account_create(
                        person=person, username=form.cleaned_data["username"], actor=request.user
                    )
                    link = services.portal_set_password_link(user)
            else:
                link = services.portal_set_password_link_issue(person=person, actor=request.user)
        except ValidationError as exc:
            apply_service_errors(form, exc)
    return render(
        request,
        "cases/portal_account.html",
        {"form": form, "person": person, "link": request.build_absolute_uri(link) if link else ""},
    )


class ProxyForm(forms.Form):
    username = forms.CharField(
        label="Their portal username",
        max_length=150,
        help_text="The parent or carer needs their own portal account, and their relationship recorded.",
        error_messages={"required": "Give the username of their portal account."},
    )
    scope = forms.ChoiceField(label="What they may see and do", choices=ProxyScope.choices, widget=forms.RadioSelect)
    valid_until = forms.DateField(
        label="Access ends on",
        widget=DateInput(),
        error_messages={**DATE_ERRORS, "required": "Give the date the access ends."},
    )
    child_agreed = forms.BooleanField(label="The person agrees (needed when they are 12 or over)", required=False)


@professional_required
@require_http_methods(["GET", "POST"])
def proxy_add(request: HttpRequest, person_id: str) -> HttpResponse:
    person = selectors.person_get_for_portal_account(user=request.user, person_id=person_id)
    form = ProxyForm(request.POST or None, initial={"scope": ProxyScope.PLAN})
    if request.method == "POST" and form.is_valid():
        try:
            services.proxy_link(person=person, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "They can now see the portal for this person.")
            return redirect("cases:person_detail", person_id=person.id)
    return render(request, "cases/proxy_add.html", {"form": form, "person": person})


@professional_required
@require_POST
def proxy_change(request: HttpRequest, person_id: str, proxy_id: str, action: str) -> HttpResponse:
    """Freeze (at once, e.g. while a safeguarding concern is open) or end a proxy."""
    if action not in {"freeze", "end"}:
        raise Http404("Not found")
    person = selectors.person_get_for_portal_account(user=request.user, person_id=person_id)
    proxy = selectors.proxy_get_for(person=person, proxy_id=proxy_id)
    if action == "freeze":
        services.proxy_freeze(proxy=proxy, actor=request.user)
        messages.success(request, "Frozen: they cannot see this person's portal any more.")
    else:
        services.proxy_end(proxy=proxy, actor=request.user)
        messages.success(request, "Ended: they cannot see this person's portal any more.")
    back = str(request.POST.get("next", ""))
    if back.startswith("/cases/") and "//" not in back:
        return redirect(back)
    return redirect("cases:person_detail", person_id=person.id)


class PlainTitleForm(forms.Form):
    plain_title = forms.CharField(
        label="Plain title",
        max_length=200,
        required=False,
        help_text="What the person sees in their portal. Leave empty for “Your plan with” and your agency.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def plain_title(request: HttpRequest, case_id: str) -> HttpResponse:
    """Set the title the person sees; "Check" shows the reading age and any jargon from the
    glossary without saving."""
    access = selectors.get_case_for(user=request.user, case_id=case_id, perm=MANAGE, request=request)
    if not services.case_may_manage(access=access):
        raise PermissionDenied("Only the lead professional or a team lead of the case can do this.")
    form = PlainTitleForm(request.POST or None, initial={"plain_title": access.case.plain_title})
    if request.method == "POST" and form.is_valid() and "save" in request.POST:
        try:
            services.case_plain_title_set(
                case=access.case, plain_title=form.cleaned_data["plain_title"], actor=request.user
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "The plain title is saved.")
            return redirect("cases:case_detail", case_id=access.case.id)
    text = form.cleaned_data.get("plain_title", "") if form.is_bound and form.is_valid() else access.case.plain_title
    return render(
        request,
        "cases/plain_title.html",
        {"form": form, "case": access.case, "check": plainwords.check(text or access.case.plain_title_or_default)},
    )


@professional_required
def plain_words(request: HttpRequest) -> HttpResponse:
    """The reading age and glossary flags of `?text=` (htmx fragment beside a plain-words field)."""
    text = str(request.GET.get("text", ""))[:2000]
    for key, value in request.GET.items():  # the field's own name, as htmx sends it
        if key.endswith("plain_summary") or key.endswith("plain_title"):
            text = str(value)[:2000]
    return render(
        request, "cases/includes/plain_words.html", {"check": plainwords.check(text) if text.strip() else None}
    )
