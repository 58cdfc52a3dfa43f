"""The portal's forms, in plain words (reading age 9 or under)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from cases.models import Case
from sharing.models import Category, ConsentDecision

# Each kind of information, in plain words, with why it may be shared.
CATEGORY_WORDS = {
    Category.HEALTH: (_("Your health"), _("So they can help with your health.")),
    Category.MENTAL_HEALTH: (_("How you feel in your mind"), _("So they can help you feel better.")),
    Category.SUBSTANCE_USE: (_("Drink or drugs"), _("So they can help you with drink or drugs.")),
    Category.SOCIAL_CARE: (_("Help from social care"), _("So they know what help you get.")),
    Category.EDUCATION: (_("School"), _("So they know how school is going.")),
    Category.POLICE: (_("The police"), _("So they know what the police know.")),
    Category.HOUSING: (_("Your home"), _("So they can help you keep your home.")),
}


class CaseChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Case) -> str:
        return obj.plain_title_or_default


class MessageForm(forms.Form):
    text = forms.CharField(
        label=_("Your message"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Write your message.")},
    )
    case = CaseChoiceField(label=_("Which plan is it about?"), queryset=Case.objects.none(), empty_label=None)

    def __init__(self, *args: Any, cases: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["case"].queryset = cases  # type: ignore[attr-defined]
        if len(cases) <= 1:
            self.fields["case"].widget = forms.HiddenInput()


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How are things going?"),
        coerce=int,
        choices=[(5, _("5: very well")), (4, _("4: well")), (3, _("3: OK")), (2, _("2: not well")), (1, _("1: badly"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Pick a number from 1 to 5.")},
    )
    comment = forms.CharField(
        label=_("Tell us more"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    case = CaseChoiceField(label=_("Which plan is it about?"), queryset=Case.objects.none(), empty_label=None)

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
        label=_("Who is it about?"),
        queryset=Agency.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": _("Pick who it is about.")},
    )
    category = forms.ChoiceField(
        label=_("What kind of information?"),
        choices=[(value, words[0]) for value, words in CATEGORY_WORDS.items()],
        widget=forms.RadioSelect,
        error_messages={"required": _("Pick what kind of information.")},
    )
    decision = forms.ChoiceField(
        label=_("Can they see it?"),
        choices=[
            (ConsentDecision.GIVEN, _("Yes, they can see it")),
            (ConsentDecision.REFUSED, _("No, they cannot see it")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Pick yes or no.")},
    )

    def __init__(self, *args: Any, agencies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies  # type: ignore[attr-defined]
