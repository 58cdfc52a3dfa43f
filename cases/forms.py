"""Forms of cases/ pages, and the form helpers every app's pages share
(dates, choice fields, showing a service's errors inline).

Floor 4.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from agencies.models import Professional
from cases.models import CaseStatus, Person, Role


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


DATE_ERRORS = {"invalid": "Enter a real date, for example 2026-03-27."}


def apply_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Show a service's ValidationError inline: on its field when the form has
    one, otherwise at the top of the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class ServiceValidatedForm(forms.Form):
    """A form whose fields are all checked by the service (required=False here, so one
    submit shows every error the service finds at once). `service_required` names the
    fields the service requires: the page shows them without "(optional)", GOV.UK style
    (templates/includes/field.html reads `field.field.service_required`)."""

    service_required: tuple[str, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.service_required:
            self.fields[name].service_required = True  # type: ignore[attr-defined]


def choice_field(form: forms.Form, name: str) -> forms.ModelChoiceField:
    """A model choice field of the form, typed, so its queryset can be narrowed per request."""
    return cast(forms.ModelChoiceField, form.fields[name])


class ProfessionalChoiceField(forms.ModelChoiceField):
    """A professional shown with their agency, so cross-agency teams are clear."""

    def label_from_instance(self, obj: Professional) -> str:
        return f"{obj.full_name} – {obj.agency.name}"


class PersonChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Person) -> str:
        if obj.date_of_birth:
            return f"{obj.full_name} (born {obj.date_of_birth:%-d %B %Y})"
        return obj.full_name


class CaseOpenForm(forms.Form):
    title = forms.CharField(
        label="Case title",
        max_length=200,
        help_text="A short name colleagues will recognise, for example “Okafor family support”.",
        error_messages={"required": "Give the case a title."},
    )
    people = PersonChoiceField(
        label="Who is the case about?",
        queryset=Person.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Choose everyone the case is about.",
        error_messages={"required": "Choose at least one person the case is about."},
    )
    lead_professional = ProfessionalChoiceField(
        label="Lead professional",
        queryset=Professional.objects.none(),
        help_text="The one person accountable for co-ordinating the case.",
        error_messages={"required": "Every case needs a lead professional."},
    )

    def __init__(
        self, *args: Any, people: QuerySet[Person], professionals: QuerySet[Professional], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "people").queryset = people
        choice_field(self, "lead_professional").queryset = professionals


class PersonForm(forms.Form):
    given_name = forms.CharField(label="Given name", max_length=100, error_messages={"required": "Enter a given name."})
    family_name = forms.CharField(
        label="Family name", max_length=100, error_messages={"required": "Enter a family name."}
    )
    date_of_birth = forms.DateField(
        label="Date of birth", required=False, widget=DateInput(), error_messages=DATE_ERRORS
    )
    preferred_language = forms.CharField(
        label="Preferred language",
        max_length=35,
        initial="en",
        help_text="A language tag, for example en (English), cy (Welsh), pl (Polish), ar (Arabic).",
        error_messages={"required": "Enter a preferred language, for example en."},
    )
    interpreter_needed = forms.BooleanField(label="Needs an interpreter", required=False)

    def clean_preferred_language(self) -> str:
        value = self.cleaned_data["preferred_language"].strip()
        parts = value.split("-")
        if not all(part.isalnum() and 1 <= len(part) <= 8 for part in parts) or not parts[0].isalpha():
            raise ValidationError("Enter a language tag such as en, cy, pl or ar.")
        return value


class AssignmentForm(forms.Form):
    professional = ProfessionalChoiceField(
        label="Professional",
        queryset=Professional.objects.none(),
        help_text="Anyone from any agency.",
        error_messages={"required": "Choose a professional."},
    )
    role = forms.ChoiceField(label="Role", choices=Role.choices, error_messages={"required": "Choose a role."})

    def __init__(self, *args: Any, professionals: QuerySet[Professional], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "professional").queryset = professionals


class CloseCaseForm(forms.Form):
    reason = forms.CharField(
        label="Why is the case closing?",
        help_text="At least 10 characters. The team can still read the case afterwards.",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say why the case is closing (at least 10 characters)."},
    )


class CaseFilterForm(forms.Form):
    q = forms.CharField(label="Search by title or reference", required=False, max_length=200)
    status = forms.ChoiceField(label="Status", required=False, choices=[("", "All cases"), *CaseStatus.choices])


class PersonSearchForm(forms.Form):
    q = forms.CharField(label="Search by name", required=False, max_length=200)
