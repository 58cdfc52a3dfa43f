"""Forms of plans/ pages: goals, milestones, reviews, handover.

Floor 5.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from agencies.models import Professional
from agencies.validation import NOTE_MAX, PLAIN_SUMMARY_MAX, PLAN_TEXT_MAX, too_long_message
from cases.forms import DATE_ERRORS, DateField, DateInput, ProfessionalChoiceField
from cases.forms import choice_field as _choice
from plans.models import Goal, GoalStatus, ReviewKind


class GoalForm(forms.Form):
    description = forms.CharField(
        label="What will be different?",
        max_length=PLAN_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say what will be different."},
    )
    measure = forms.CharField(
        label="How will we know?",
        help_text="How the change is measured, for example “attendance above 95% over a term”.",
        max_length=PLAN_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say how you will measure it."},
    )
    target_date = DateField(
        label="By when?",
        widget=DateInput(),
        error_messages={"required": "Give a target date.", **DATE_ERRORS},
    )
    plain_summary = forms.CharField(
        label="In plain words for the person",
        help_text="This is what the person sees in their portal. Use everyday words.",
        max_length=PLAIN_SUMMARY_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Write the goal in plain words for the person."},
    )


class MilestoneForm(forms.Form):
    goal = forms.ModelChoiceField(
        label="Goal", queryset=Goal.objects.none(), error_messages={"required": "Choose a goal of this case."}
    )
    title = forms.CharField(
        label="Milestone", max_length=200, error_messages={"required": "Give the milestone a title."}
    )
    due_date = DateField(
        label="Due date", widget=DateInput(), error_messages={"required": "Give a due date.", **DATE_ERRORS}
    )
    accountable = ProfessionalChoiceField(
        label="Accountable professional",
        queryset=Professional.objects.none(),
        help_text="One named person from the case team.",
        error_messages={"required": "Every milestone needs one accountable professional."},
    )
    plain_summary = forms.CharField(
        label="In plain words for the person",
        required=False,
        max_length=PLAIN_SUMMARY_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, goals: QuerySet[Goal], team: QuerySet[Professional], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice(self, "goal").queryset = goals
        _choice(self, "goal").label_from_instance = lambda g: g.description[:80]  # type: ignore[method-assign,assignment]
        _choice(self, "accountable").queryset = team


class ReviewForm(forms.Form):
    kind = forms.ChoiceField(label="Kind of review", choices=ReviewKind.choices)
    scheduled_for = DateField(
        label="Date", widget=DateInput(), error_messages={"required": "Give a date for the review.", **DATE_ERRORS}
    )
    accountable = ProfessionalChoiceField(
        label="Accountable professional",
        queryset=Professional.objects.none(),
        help_text="One named person from the case team.",
        error_messages={"required": "Every review needs one accountable professional."},
    )

    def __init__(self, *args: Any, team: QuerySet[Professional], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice(self, "accountable").queryset = team


class HandoverForm(forms.Form):
    accountable = ProfessionalChoiceField(
        label="Hand over to",
        queryset=Professional.objects.none(),
        help_text="Someone on the case team. They will be told it is now theirs.",
        error_messages={"required": "Choose who takes it over."},
    )

    def __init__(self, *args: Any, team: QuerySet[Professional], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice(self, "accountable").queryset = team


class GoalOutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Was the goal achieved?",
        choices=[(GoalStatus.ACHIEVED, "Achieved"), (GoalStatus.NOT_ACHIEVED, "Not achieved")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose achieved or not achieved."},
    )
    note = forms.CharField(
        label="What shows it, or why not",
        help_text="Kept with the goal and in its history.",
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Say what shows it (or why not).",
            "max_length": too_long_message(NOTE_MAX),
        },
    )


class MilestoneEditForm(forms.Form):
    title = forms.CharField(
        label="Milestone", max_length=200, error_messages={"required": "Give the milestone a title."}
    )
    plain_summary = forms.CharField(
        label="In plain words for the person",
        required=False,
        max_length=PLAIN_SUMMARY_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": too_long_message(PLAIN_SUMMARY_MAX)},
    )


class RedateForm(forms.Form):
    """A new date for a milestone or review, with the reason kept in its history."""

    new_date = DateField(label="New date", error_messages={"required": "Give the new date."})
    reason = forms.CharField(
        max_length=NOTE_MAX,
        label="Why the date changes",
        help_text="Kept in the item's history and shown on the case page.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why the date changes. It is kept in the item's history."},
    )
    reason_for_person = forms.CharField(
        required=False,
        max_length=300,
        label="Why, in plain words for the person",
        help_text="Their portal shows only this, never the reason above. Left empty, it says their "
        "worker has moved it to the new date.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
