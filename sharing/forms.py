"""HTML forms for records, consent, the safeguarding override, its review and the
audit trail filters. Shape only; the rules are in cases.services."""

from __future__ import annotations

from typing import Any

from django import forms

from cases.forms import DATE_ERRORS, DateInput, ServiceValidatedForm
from cases.models import Person
from sharing.models import Category, ConsentDecision, LawfulBasis, OverrideOutcome

CATEGORY_CHOICES = [("", "Choose a category"), *Category.choices]
SHARED_CATEGORY_CHOICES = [("", "Choose a category"), *[c for c in Category.choices if c[0] != Category.GENERAL]]


class PersonCheckboxes(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Person) -> str:
        return obj.full_name


class RecordForm(ServiceValidatedForm):
    service_required = ("category", "text")
    category = forms.ChoiceField(
        choices=CATEGORY_CHOICES,
        required=False,
        help_text="Who can read it depends on this: general notes are shared with the whole case team; "
        "other categories with your agency, and with other agencies only where the person consented.",
    )
    about = PersonCheckboxes(
        queryset=Person.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Who is this record about?",
        help_text="Leave all unticked for everyone on the case.",
    )
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 8}), required=False, label="Record")

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["about"].queryset = people  # type: ignore[attr-defined]


class RecordSearchForm(forms.Form):
    q = forms.CharField(required=False, label="Search records", max_length=200)
    category = forms.ChoiceField(choices=[("", "All categories"), *Category.choices], required=False)


class ConsentForm(ServiceValidatedForm):
    service_required = ("category", "agency", "purpose", "valid_from", "given_by")
    decision = forms.ChoiceField(
        choices=ConsentDecision.choices, initial=ConsentDecision.GIVEN, widget=forms.RadioSelect, label="Decision"
    )
    category = forms.ChoiceField(choices=SHARED_CATEGORY_CHOICES, required=False, label="What information")
    agency = forms.ChoiceField(choices=[], required=False, label="Shared with which agency")
    purpose = forms.CharField(
        max_length=300, required=False, label="What for", help_text="For example: joint support plan"
    )
    valid_from = forms.DateField(widget=DateInput(), required=False, error_messages=DATE_ERRORS, label="From")
    valid_until = forms.DateField(
        widget=DateInput(),
        required=False,
        error_messages=DATE_ERRORS,
        label="Until",
        help_text="Leave empty if open-ended",
    )
    given_by = forms.CharField(
        max_length=200,
        required=False,
        label="Who gave or refused consent",
        help_text="The person, or the name of someone with parental responsibility",
    )

    def __init__(self, *args: Any, agencies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "Choose an agency"), *[(str(a.pk), a.name) for a in agencies]]
        self.fields["agency"].choices = choices  # type: ignore[attr-defined]


class OverrideForm(ServiceValidatedForm):
    service_required = ("category", "lawful_basis", "justification")
    category = forms.ChoiceField(choices=SHARED_CATEGORY_CHOICES, required=False, label="Which information")
    lawful_basis = forms.ChoiceField(
        choices=LawfulBasis.choices, required=False, widget=forms.RadioSelect, label="Lawful basis"
    )
    justification = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        label="Why you need to see it now",
        help_text="At least 30 characters. Your information-governance lead will review this.",
    )


class OverrideReviewForm(ServiceValidatedForm):
    service_required = ("outcome",)
    outcome = forms.ChoiceField(choices=OverrideOutcome.choices, widget=forms.RadioSelect, required=False)
    person_may_be_told = forms.BooleanField(
        required=False, label="The person may be told about this override (it will show in their portal)"
    )
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False, label="Notes")


class AuditFilterForm(forms.Form):
    case = forms.UUIDField(required=False, label="Case id")
    person = forms.UUIDField(required=False, label="Person id")
    actor = forms.UUIDField(required=False, label="Professional id")
    action = forms.CharField(
        required=False, label="Action", help_text="For example cases.record.viewed, or cases.record."
    )
    date_from = forms.DateField(widget=DateInput(), required=False, label="From", error_messages=DATE_ERRORS)
    date_to = forms.DateField(widget=DateInput(), required=False, label="To", error_messages=DATE_ERRORS)

    def filters(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "case": d.get("case"),
            "person": d.get("person"),
            "actor": d.get("actor"),
            "action": d.get("action"),
            "from": d.get("date_from"),
            "to": d.get("date_to"),
        }
