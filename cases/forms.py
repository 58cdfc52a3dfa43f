"""Forms of cases/ pages, and the form helpers every app's pages share
(dates, choice fields, showing a service's errors inline).

Floor 4.
"""

from __future__ import annotations

import datetime
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from agencies.models import Professional
from agencies.validation import NOTE_MAX, date_in_range
from cases.models import CaseStatus, Person, Role


class DateParts(str):
    """What a date input's three boxes held, as typed: `parts` is (day, month, year).
    As a string it is the ISO date when the boxes make one, else what was typed, so a
    plain DateField rejects it as invalid rather than reading it as empty."""

    parts: tuple[str, str, str]

    def __new__(cls, day: str, month: str, year: str) -> DateParts:
        text = f"{year}-{month.zfill(2)}-{day.zfill(2)}" if day and month and year else f"{day}/{month}/{year}"
        self = super().__new__(cls, text)
        self.parts = (day, month, year)
        return self


class DateInput(forms.MultiWidget):
    """GOV.UK's date input: day, month and year boxes in a fieldset (never a native date
    picker, whose format follows the browser's locale). Used by every date field of the
    professional forms through `DateField`. A single `name=YYYY-MM-DD` value (an old
    link, a script) is still read."""

    template_name = "cases/date_input.html"
    PARTS = ("day", "month", "year")

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        def box(width: str, maxlength: int) -> forms.TextInput:
            return forms.TextInput(
                attrs={"inputmode": "numeric", "class": f"ju-input ju-input--width-{width}", "maxlength": maxlength}
            )

        super().__init__({"day": box("2", 2), "month": box("2", 2), "year": box("4", 4)}, attrs)

    def decompress(self, value: Any) -> list[str | None]:
        if isinstance(value, DateParts):
            return list(value.parts)
        if isinstance(value, datetime.date):
            return [str(value.day), str(value.month), str(value.year)]
        if isinstance(value, str) and value:
            try:
                day = datetime.date.fromisoformat(value)
            except ValueError:
                return [None, None, None]
            return [str(day.day), str(day.month), str(day.year)]
        return [None, None, None]

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        keys = [f"{name}_{part}" for part in self.PARTS]
        if not any(k in data for k in keys):
            return data.get(name)
        day, month, year = (str(data.get(k) or "").strip() for k in keys)
        if not (day or month or year):
            return ""
        return DateParts(day, month, year)

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in data and all(f"{name}_{part}" not in data for part in self.PARTS)

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        base = (attrs or {}).get("id") or self.attrs.get("id")
        if base:  # ids named like the boxes (id_due_date_day), so labels and the error summary find them
            for part, sub in zip(self.PARTS, context["widget"]["subwidgets"], strict=True):
                sub["attrs"]["id"] = f"{base}_{part}"
        return context

    def id_for_label(self, id_: str) -> str:
        return f"{id_}_day" if id_ else id_


class DateField(forms.DateField):
    """A date in GOV.UK's day, month and year boxes, with errors in words that name the
    field and say what is wrong ("Due date must include a month"), accepted only within
    1900-2200 (agencies.validation)."""

    widget = DateInput
    default_validators = [date_in_range]

    def __init__(self, *, called: str = "", **kwargs: Any) -> None:
        self.called = called  # the field in an error sentence, when its label reads oddly there
        kwargs.setdefault("widget", DateInput())
        kwargs["error_messages"] = {**DATE_ERRORS, **kwargs.get("error_messages", {})}
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> datetime.date | None:
        if isinstance(value, DateParts):
            return self._from_parts(value.parts)
        return super().to_python(value)

    def _from_parts(self, parts: tuple[str, str, str]) -> datetime.date:
        label = self.called or str(self.label or "")
        if not label or label.endswith("?"):  # "By when?" reads oddly in a sentence
            label = "The date"
        missing = [name for name, text in zip(DateInput.PARTS, parts, strict=True) if not text]
        if missing:
            words = " and ".join(f"a {m}" for m in missing)
            raise ValidationError(f"{label} must include {words}.", code="incomplete")
        day, month, year = parts
        if not all(text.isdigit() for text in parts):
            raise ValidationError(f"{label} must be a real date, in numbers, for example 27 3 2026.", code="invalid")
        if len(year) != 4:
            raise ValidationError("Year must include 4 numbers.", code="invalid")
        try:
            return datetime.date(int(year), int(month), int(day))
        except ValueError:
            raise ValidationError(f"{label} must be a real date, for example 27 3 2026.", code="invalid") from None


DATE_ERRORS = {"invalid": "Enter a real date, for example 27 3 2026."}


def language_tag(value: str, message: str) -> str:
    """A BCP 47-shaped language tag (en, cy, pl, ar, pt-BR), stripped; `message` otherwise."""
    value = value.strip()
    parts = value.split("-")
    if not all(part.isalnum() and 1 <= len(part) <= 8 for part in parts) or not parts[0].isalpha():
        raise ValidationError(message)
    return value


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
    date_of_birth = DateField(label="Date of birth", required=False)
    preferred_language = forms.CharField(
        label="Preferred language",
        max_length=35,
        initial="en",
        help_text="A language tag, for example en (English), cy (Welsh), pl (Polish), ar (Arabic).",
        error_messages={"required": "Enter a preferred language, for example en."},
    )
    interpreter_needed = forms.BooleanField(label="Needs an interpreter", required=False)

    def clean_preferred_language(self) -> str:
        return language_tag(self.cleaned_data["preferred_language"], "Enter a language tag such as en, cy, pl or ar.")


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
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say why the case is closing (at least 10 characters)."},
    )


class CaseFilterForm(forms.Form):
    q = forms.CharField(label="Search by title or reference", required=False, max_length=200)
    status = forms.ChoiceField(label="Status", required=False, choices=[("", "All cases"), *CaseStatus.choices])


class PersonSearchForm(forms.Form):
    q = forms.CharField(label="Search by name", required=False, max_length=200)
