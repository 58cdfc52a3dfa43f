"""HTML forms for records, consent, the safeguarding override, its review and the
audit trail filters. Shape only; the rules are in cases.services."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from agencies.validation import LONG_TEXT_MAX, NOTE_MAX
from cases.forms import DATE_ERRORS, DateField, DateInput, ServiceValidatedForm
from cases.models import Person
from sharing import trail
from sharing.audit_labels import action_choices
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
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}), required=False, label="Record", max_length=LONG_TEXT_MAX
    )

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
    valid_from = DateField(
        widget=DateInput(), required=False, error_messages=DATE_ERRORS, label="From", called="The start date"
    )
    valid_until = DateField(
        widget=DateInput(),
        required=False,
        error_messages=DATE_ERRORS,
        label="Until",
        called="The end date",
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
        max_length=NOTE_MAX,
        label="Why you need to see it now",
        help_text="At least 30 characters. Your information-governance lead will review this.",
    )


class OverrideReviewForm(ServiceValidatedForm):
    service_required = ("outcome",)
    outcome = forms.ChoiceField(choices=OverrideOutcome.choices, widget=forms.RadioSelect, required=False)
    person_may_be_told = forms.BooleanField(
        required=False, label="The person may be told about this override (it will show in their portal)"
    )
    notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), required=False, label="Notes", max_length=NOTE_MAX
    )


class AuditFilterForm(forms.Form):
    """The trail's filters in the words an information-governance lead has: a person's
    name, a case reference, a professional's name, an agency, an action in words, dates.
    Names are resolved (in `clean`) to the people, cases and professionals of the trail
    the caller may read; one that matches nobody there is an error in words, not an
    empty page. Ids (links from the trail's own rows) are read as well."""

    person = forms.CharField(
        required=False, max_length=200, label="Person", help_text="A name, for example Jade Carter"
    )
    case = forms.CharField(required=False, max_length=200, label="Case reference", help_text="For example C-2026-00001")
    actor = forms.CharField(required=False, max_length=200, label="Professional", help_text="Who did it")
    agency = forms.ChoiceField(required=False, label="Their agency")
    action = forms.ChoiceField(required=False, label="What they did")
    date_from = DateField(required=False, label="From", called="The from date")
    date_to = DateField(required=False, label="To", called="The to date")

    def __init__(self, *args: Any, events: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.events = events
        agency_field = cast(forms.ChoiceField, self.fields["agency"])
        agency_field.choices = [("", "Any agency"), *trail.agency_choices()]
        action_field = cast(forms.ChoiceField, self.fields["action"])
        action_field.choices = [("", "Anything"), *action_choices()]

    def clean(self) -> dict[str, Any]:
        d = super().clean() or {}
        start, end = d.get("date_from"), d.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The to date must be the same as or after the from date.")
        resolved: dict[str, Any] = {}
        for name, find, nobody in (
            ("person", trail.people_in_trail, "No one called “{}”"),
            ("case", trail.cases_in_trail, "No case with a reference like “{}”"),
            ("actor", trail.professionals_in_trail, "No professional called “{}”"),
        ):
            text = (d.get(name) or "").strip()
            if not text:
                continue
            found = find(events=self.events, text=text)
            if not found:
                self.add_error(name, nobody.format(text) + " appears in the audit trail you can read.")
            elif len(found) == 1:
                resolved[name] = found[0].pk
            else:
                resolved[f"{name}_in"] = [row.pk for row in found]
        self.resolved = resolved
        return d

    def filters(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            **self.resolved,
            "agency": d.get("agency") or None,
            "action": d.get("action") or None,
            "from": d.get("date_from"),
            "to": d.get("date_to"),
        }
