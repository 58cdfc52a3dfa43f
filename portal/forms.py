"""The portal's forms, in plain words (reading age 9 or under)."""

from __future__ import annotations

from typing import Any

from django import forms

from agencies.models import Agency
from cases.models import Case
from sharing.models import Category, ConsentDecision

# Each kind of information, in plain words, with why it may be shared.
CATEGORY_WORDS = {
    Category.HEALTH: ("Your health", "So they can help with your health."),
    Category.MENTAL_HEALTH: ("How you feel in your mind", "So they can help you feel better."),
    Category.SUBSTANCE_USE: ("Drink or drugs", "So they can help you with drink or drugs."),
    Category.SOCIAL_CARE: ("Help from social care", "So they know what help you get."),
    Category.EDUCATION: ("School", "So they know how school is going."),
    Category.POLICE: ("The police", "So they know what the police know."),
    Category.HOUSING: ("Your home", "So they can help you keep your home."),
}


class CaseChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Case) -> str:
        return obj.plain_title_or_default


class MessageForm(forms.Form):
    text = forms.CharField(
        label="Your message",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Write your message."},
    )
    case = CaseChoiceField(label="Which plan is it about?", queryset=Case.objects.none(), empty_label=None)

    def __init__(self, *args: Any, cases: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["case"].queryset = cases  # type: ignore[attr-defined]
        if len(cases) <= 1:
            self.fields["case"].widget = forms.HiddenInput()


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(
        label="How are things going?",
        coerce=int,
        choices=[(5, "5: very well"), (4, "4: well"), (3, "3: OK"), (2, "2: not well"), (1, "1: badly")],
        widget=forms.RadioSelect,
        error_messages={"required": "Pick a number from 1 to 5."},
    )
    comment = forms.CharField(
        label="Tell us more", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    case = CaseChoiceField(label="Which plan is it about?", queryset=Case.objects.none(), empty_label=None)

    def __init__(self, *args: Any, cases: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["case"].queryset = cases  # type: ignore[attr-defined]
        if len(cases) <= 1:
            self.fields["case"].widget = forms.HiddenInput()


class AgencyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Agency) -> str:
        return obj.name


class SharingChoiceForm(forms.Form):
    """Step one of changing what is shared: who, what, yes or no."""

    agency = AgencyChoiceField(
        label="Who is it about?",
        queryset=Agency.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": "Pick who it is about."},
    )
    category = forms.ChoiceField(
        label="What kind of information?",
        choices=[(value, words[0]) for value, words in CATEGORY_WORDS.items()],
        widget=forms.RadioSelect,
        error_messages={"required": "Pick what kind of information."},
    )
    decision = forms.ChoiceField(
        label="Can they see it?",
        choices=[(ConsentDecision.GIVEN, "Yes, they can see it"), (ConsentDecision.REFUSED, "No, they cannot see it")],
        widget=forms.RadioSelect,
        error_messages={"required": "Pick yes or no."},
    )

    def __init__(self, *args: Any, agencies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies  # type: ignore[attr-defined]
