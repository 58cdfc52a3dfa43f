"""Pages that change a case's family, reached from the case page's family section: record a
household (who lives there from the case's people, its address, language and interpreter
needs), change it, add and remove its members, record a relationship between two people
of the case (with whether it carries parental responsibility) and remove one.

Views are thin: the case through `cases.selectors.get_case_for` (404 when not visible),
the household or relationship through the selectors that read it for that case (404,
audited), rights and rules from the services (`family_may_change`,
`household_may_change`: 403 when refused), every write audited there. A refusal keeps
what was typed; removing asks to confirm first.

Floor 4.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from cases import selectors, services
from cases.forms import PersonChoiceField, apply_service_errors, choice_field, language_tag
from cases.models import Household, Person, RelationshipKind
from cases.selectors import CaseAccess

LANGUAGE_HINT = "A language tag, for example en (English), cy (Welsh), pl (Polish), ar (Arabic)."


class PersonSelect(forms.ModelChoiceField):
    def label_from_instance(self, obj: Person) -> str:
        return obj.full_name


class HouseholdForm(forms.Form):
    name = forms.CharField(
        label="Name of the household",
        max_length=200,
        help_text="For example, “Carter household”.",
        error_messages={"required": "Give the household a name, for example “Carter household”."},
    )
    members = PersonChoiceField(
        label="Who lives here?",
        queryset=Person.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Choose everyone on this case who lives here.",
        error_messages={"required": "Choose at least one person who lives here."},
    )
    address = forms.CharField(
        label="Address",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "street-address"}),
    )
    language = forms.CharField(
        label="Language spoken at home",
        max_length=35,
        initial="en",
        help_text=LANGUAGE_HINT,
        error_messages={"required": "Give the language spoken at home, for example en."},
    )
    interpreter_needed = forms.BooleanField(label="The household needs an interpreter", required=False)

    def __init__(self, *args: Any, people: QuerySet[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "members").queryset = people

    def clean_language(self) -> str:
        """Checked here too (as the service does), so one submit shows every problem."""
        return language_tag(self.cleaned_data["language"], "Give a language tag such as en, cy, pl or ar.")


class HouseholdEditForm(HouseholdForm):
    members = PersonChoiceField(
        label="Add people who live here",
        queryset=Person.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="People on this case who do not live here yet.",
    )


class CaseRelationshipForm(forms.Form):
    person = PersonSelect(
        label="Who",
        queryset=Person.objects.none(),
        empty_label="Choose a person",
        help_text="For example, the mother.",
        error_messages={"required": "Choose who the relationship is about."},
    )
    kind = forms.ChoiceField(
        label="Is the",
        choices=RelationshipKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what they are to the other person."},
    )
    to = PersonSelect(
        label="Of",
        queryset=Person.objects.none(),
        empty_label="Choose a person",
        help_text="For example, the child.",
        error_messages={"required": "Choose who they are related to."},
    )
    parental_responsibility = forms.TypedChoiceField(
        label="Do they hold parental responsibility for them?",
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether they hold parental responsibility."},
    )

    def __init__(self, *args: Any, people: QuerySet[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "person").queryset = people
        choice_field(self, "to").queryset = people


def _case_people(access: CaseAccess) -> QuerySet[Person]:
    return access.case.people.order_by("family_name", "given_name", "id")


def _require_may_change(request: HttpRequest, people: Any) -> None:
    """The page opens only for those the services would let save it (403 otherwise)."""
    if not services.family_may_change(actor=request.user, people=people):
        raise PermissionDenied("You can record the families only of people you work with.")


def _done(request: HttpRequest, access: CaseAccess, text: str) -> HttpResponse:
    messages.success(request, text)
    return redirect("cases:case_family", case_id=access.case.id)


@login_required
@require_http_methods(["GET", "POST"])
def household_add(request: HttpRequest, case_id: str) -> HttpResponse:
    access = selectors.get_case_for(user=request.user, case_id=case_id, request=request)
    people = _case_people(access)
    _require_may_change(request, people)
    form = HouseholdForm(request.POST or None, people=people)
    if request.method == "POST" and form.is_valid():
        try:
            household = services.household_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            return _done(request, access, f"{household.name} is recorded.")
    return render(request, "cases/household_form.html", {"form": form, "case": access.case, "household": None})


def _household(request: HttpRequest, access: CaseAccess, household_id: str) -> Household:
    household = selectors.household_get_for_case(
        user=request.user, case=access.case, household_id=household_id, request=request
    )
    if not services.household_may_change(actor=request.user, household=household):
        raise PermissionDenied("You can change a household only when you work with someone who lives there.")
    return household


@login_required
@require_http_methods(["GET", "POST"])
def household_edit(request: HttpRequest, case_id: str, household_id: str) -> HttpResponse:
    access = selectors.get_case_for(user=request.user, case_id=case_id, request=request)
    household = _household(request, access, household_id)
    members = household.visible_members  # type: ignore[attr-defined]
    others = _case_people(access).exclude(pk__in=[m.pk for m in members])
    initial = {
        "name": household.name,
        "address": household.address,
        "language": household.language,
        "interpreter_needed": household.interpreter_needed,
    }
    form = HouseholdEditForm(request.POST or None, people=others, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.household_update(
                household=household,
                actor=request.user,
                name=data["name"],
                address=data["address"],
                language=data["language"],
                interpreter_needed=data["interpreter_needed"],
                add_members=data["members"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            return _done(request, access, f"{data['name'].strip()} is saved.")
    return render(
        request,
        "cases/household_form.html",
        {"form": form, "case": access.case, "household": household, "members": members},
    )


@login_required
@require_http_methods(["GET", "POST"])
def household_member_remove(request: HttpRequest, case_id: str, household_id: str, person_id: str) -> HttpResponse:
    """Confirm, then take someone out of a household (they no longer live there)."""
    access = selectors.get_case_for(user=request.user, case_id=case_id, request=request)
    household = _household(request, access, household_id)
    pk = selectors.parse_uuid(person_id)
    person = next((m for m in household.visible_members if m.pk == pk), None)  # type: ignore[attr-defined]
    if person is None:
        raise Http404("Not found")
    error = ""
    if request.method == "POST":
        try:
            services.household_member_remove(household=household, person=person, actor=request.user)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            return _done(request, access, f"{person.full_name} no longer lives in {household.name}.")
    return render(
        request,
        "cases/household_member_remove.html",
        {"case": access.case, "household": household, "person": person, "error": error},
    )


@login_required
@require_http_methods(["GET", "POST"])
def relationship_add(request: HttpRequest, case_id: str) -> HttpResponse:
    """A relationship between two people of the case."""
    access = selectors.get_case_for(user=request.user, case_id=case_id, request=request)
    people = _case_people(access)
    _require_may_change(request, people)
    form = CaseRelationshipForm(request.POST or None, people=people)
    if request.method == "POST" and form.is_valid():
        try:
            services.relationship_add(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            return _done(request, access, "The relationship is recorded.")
    return render(
        request,
        "cases/case_relationship_add.html",
        {"form": form, "case": access.case, "enough_people": len(people) >= 2},
    )


@login_required
@require_http_methods(["GET", "POST"])
def relationship_remove(request: HttpRequest, case_id: str, relationship_id: str) -> HttpResponse:
    """Confirm, then remove a relationship that is no longer true or was recorded in error."""
    access = selectors.get_case_for(user=request.user, case_id=case_id, request=request)
    rel = selectors.relationship_get_for_case(
        user=request.user, case=access.case, relationship_id=relationship_id, request=request
    )
    _require_may_change(request, [rel.person, rel.to])
    error = ""
    if request.method == "POST":
        try:
            services.relationship_remove(relationship=rel, actor=request.user)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            return _done(request, access, "The relationship is removed.")
    return render(request, "cases/relationship_remove.html", {"case": access.case, "rel": rel, "error": error})
