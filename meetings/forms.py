"""Forms of meetings/ pages. They check types; meetings.services decides every rule.

Floor 6.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from agencies.models import Professional
from agencies.validation import LONG_TEXT_MAX, NOTE_MAX, PLAIN_SUMMARY_MAX, date_in_range
from cases.forms import DATE_ERRORS, DateInput, ProfessionalChoiceField
from cases.forms import choice_field as _choice
from meetings.models import Attendance, MeetingKind
from plans.models import Goal
from sharing.models import Category

DATETIME_ERRORS = {"invalid": "Enter a real date and time, for example 2026-03-27 14:00."}
ACTION_ROWS = 3
DISSENT_ROWS = 3


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def _when(label: str, required: str) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        widget=DateTimeInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        error_messages={"required": required, **DATETIME_ERRORS},
        validators=[lambda value: date_in_range(value.date())],
    )


class TeamMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Professional) -> str:
        return f"{obj.full_name} – {obj.agency.name}"


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(label="Kind of meeting", choices=MeetingKind.choices)
    starts_at = _when("Starts", "Give the date and time the meeting starts.")
    ends_at = _when("Ends", "Give the date and time the meeting ends.")
    location = forms.CharField(
        label="Place or online meeting link",
        max_length=300,
        error_messages={"required": "Say where the meeting is, or give the online meeting link."},
    )
    chair = ProfessionalChoiceField(
        label="Chair",
        queryset=Professional.objects.none(),
        error_messages={"required": "Choose who chairs the meeting."},
    )
    note_taker = ProfessionalChoiceField(
        label="Note-taker",
        queryset=Professional.objects.none(),
        help_text="Someone other than the chair.",
        error_messages={"required": "Choose who takes the notes."},
    )
    invitees = TeamMultipleChoiceField(
        label="Invite from the case team",
        queryset=Professional.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The chair and the note-taker are invited too.",
    )
    family_invited = forms.BooleanField(label="Invite the family to give their view", required=False)
    views_due_at = _when("Views due by", "Say when the views are due.")

    def __init__(self, *args: Any, team: QuerySet[Professional], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("chair", "note_taker", "invitees"):
            _choice(self, name).queryset = team


class ViewForm(forms.Form):
    worries = forms.CharField(
        label="What are we worried about?",
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Say what you are worried about (or that nothing worries you).")},
    )
    working_well = forms.CharField(
        label="What is working well?",
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Say what is working well.")},
    )
    next_steps = forms.CharField(
        label="What needs to happen?",
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Say what needs to happen.")},
    )
    rating = forms.TypedChoiceField(
        label="On a scale of 0 to 10",
        help_text="10: safe enough to close, the goals are met. 0: not safe, nothing is working.",
        choices=[(n, str(n)) for n in range(11)],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose a rating from 0 to 10."),
            "invalid_choice": _("Choose a rating from 0 to 10."),
        },
    )
    category = forms.ChoiceField(
        label="Who may read it once the meeting opens",
        choices=Category.choices,
        initial=Category.GENERAL,
        help_text="General: the whole case team. A narrower category follows the person's consent, as for any record.",
    )


class FamilyViewForm(ViewForm):
    """The same questions in plain words, and a 0-10 face scale; always shared with the whole team."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["category"]
        self.fields["worries"].label = _("What worries you?")
        self.fields["working_well"].label = _("What is going well?")
        self.fields["next_steps"].label = _("What should happen next?")
        self.fields["rating"].label = _("How are things? 0 is very bad, 10 is very good.")
        self.fields["rating"].help_text = ""
        self.fields["rating"].choices = [(n, f"{n} {face(n)}") for n in range(11)]  # type: ignore[attr-defined]


def face(n: int) -> str:
    return "☹" if n <= 3 else ("😐" if n <= 6 else "☺")


class DecisionForm(forms.Form):
    text = forms.CharField(
        label="Decision",
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Write the decision."},
    )
    agreed_by = TeamMultipleChoiceField(
        label="Who agreed", queryset=Professional.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, invited: QuerySet[Professional], goals: QuerySet[Goal], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice(self, "agreed_by").queryset = invited
        for n in range(1, DISSENT_ROWS + 1):
            self.fields[f"dissent_{n}_professional"] = ProfessionalChoiceField(
                label=f"Dissent {n}: who disagreed", queryset=invited, required=False
            )
            self.fields[f"dissent_{n}_reason"] = forms.CharField(
                label=f"Dissent {n}: their reason, in their own words",
                widget=forms.Textarea(attrs={"rows": 2}),
                required=False,
                max_length=NOTE_MAX,
            )
        for n in range(1, ACTION_ROWS + 1):
            goal = forms.ModelChoiceField(label=f"Action {n}: goal", queryset=goals, required=False)
            goal.label_from_instance = lambda g: g.description[:80]  # type: ignore[method-assign,assignment]
            self.fields[f"action_{n}_goal"] = goal
            self.fields[f"action_{n}_title"] = forms.CharField(
                label=f"Action {n}: what", max_length=200, required=False
            )
            self.fields[f"action_{n}_due_date"] = forms.DateField(
                label=f"Action {n}: due date",
                widget=DateInput(),
                required=False,
                error_messages=DATE_ERRORS,
                validators=[date_in_range],
            )
            self.fields[f"action_{n}_accountable"] = ProfessionalChoiceField(
                label=f"Action {n}: accountable professional", queryset=Professional.objects.none(), required=False
            )
            self.fields[f"action_{n}_plain_summary"] = forms.CharField(
                label=f"Action {n}: in plain words for the person", required=False, max_length=PLAIN_SUMMARY_MAX
            )

    def set_team(self, team: QuerySet[Professional]) -> None:
        for n in range(1, ACTION_ROWS + 1):
            _choice(self, f"action_{n}_accountable").queryset = team

    def dissent_rows(self) -> list[list[Any]]:
        return [[self[f"dissent_{n}_professional"], self[f"dissent_{n}_reason"]] for n in range(1, DISSENT_ROWS + 1)]

    def action_rows(self) -> list[list[Any]]:
        names = ("goal", "title", "due_date", "accountable", "plain_summary")
        return [[self[f"action_{n}_{name}"] for name in names] for n in range(1, ACTION_ROWS + 1)]


ATTENDANCE_CHOICES = [("", "Not recorded"), *Attendance.choices]


class AttendanceForm(forms.Form):
    """Attendance, a choice per invitee (`attendance_<professional id>`). The meeting page writes
    these fields out itself (meetings/detail.html); this form validates what it posts."""

    def __init__(self, *args: Any, invitees: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for invitee in invitees:
            self.fields[f"attendance_{invitee.professional_id}"] = forms.ChoiceField(
                label=f"{invitee.professional.full_name} ({invitee.professional.agency.name})",
                choices=ATTENDANCE_CHOICES,
                required=False,
                initial=invitee.attendance,
            )

    def chosen(self) -> dict[str, str]:
        return {name.removeprefix("attendance_"): value for name, value in self.cleaned_data.items() if value}


class CloseForm(forms.Form):
    minutes = forms.CharField(
        label="Minutes",
        max_length=LONG_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": "Write the minutes."},
    )
    plain_summary = forms.CharField(
        label="Summary for the family, in plain words",
        max_length=PLAIN_SUMMARY_MAX,
        help_text="The family sees this in their portal. Use everyday words.",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Write a short summary for the family in plain words."},
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label="Your written answer",
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Write the answer."},
    )
