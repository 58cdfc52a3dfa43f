"""GOV.UK's date input on every date field of the professional forms (issue 11, found 8):
day, month and year boxes, never a native date picker (whose format follows the browser's
locale: mm/dd/yyyy in an en-US browser while the hint said ISO), with errors in words."""

import datetime
import importlib
import inspect

import pytest
from django import forms
from django.urls import reverse
from django.utils import timezone

from cases.forms import DateField, DateInput
from plans.models import Milestone
from sharing.models import Consent

APPS = ["agencies", "accountability", "cases", "plans", "sharing", "meetings", "portal", "workspace"]


def _form_classes():
    for app in APPS:
        for module_name in (f"{app}.forms", f"{app}.views"):
            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError:
                continue
            for _, cls in inspect.getmembers(module, inspect.isclass):
                if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                    yield cls


def test_every_date_field_on_the_forms_is_the_govuk_date_input():
    found = []
    for cls in _form_classes():
        for name, field in cls.base_fields.items():
            if isinstance(field, forms.DateField):
                found.append(f"{cls.__name__}.{name}")
                assert isinstance(field, DateField), f"{cls.__name__}.{name}: use cases.forms.DateField"
                assert isinstance(field.widget, DateInput), f"{cls.__name__}.{name}: use cases.forms.DateInput"
    expected = {"GoalForm.target_date", "MilestoneForm.due_date", "ConsentForm.valid_from", "PersonForm.date_of_birth"}
    assert expected <= set(found)


def _parts(name, day):
    return {f"{name}_day": str(day.day), f"{name}_month": str(day.month), f"{name}_year": str(day.year)}


def test_the_milestone_form_shows_day_month_and_year_boxes_in_a_fieldset(world, login):
    html = login("sam").get(reverse("plans:milestone_add", args=[world.case.id])).content.decode()
    assert 'type="date"' not in html
    fieldset = html.split('<legend class="ju-fieldset__legend ju-label">Due date')[1].split("</fieldset>")[0]
    for part in ("day", "month", "year"):
        assert f'name="due_date_{part}"' in fieldset and f'for="id_due_date_{part}"' in fieldset
    assert 'inputmode="numeric"' in fieldset and "For example, 27 3 2026" in fieldset


def test_a_date_typed_in_three_boxes_is_saved(world, login):
    due = timezone.localdate() + datetime.timedelta(days=12)
    data = {"goal": world.goal.id, "title": "Home visit", "accountable": world.nia.id, **_parts("due_date", due)}
    response = login("sam").post(reverse("plans:milestone_add", args=[world.case.id]), data)
    assert response.status_code == 302
    assert Milestone.objects.get(title="Home visit").due_date == due


@pytest.mark.parametrize(
    ("day", "month", "year", "message"),
    [
        ("3", "", "2027", "Due date must include a month."),
        ("", "", "2027", "Due date must include a day and a month."),
        ("31", "2", "2027", "Due date must be a real date"),
        ("3", "June", "2027", "Due date must be a real date, in numbers"),
        ("3", "6", "27", "Year must include 4 numbers."),
        ("", "", "", "Give a due date."),
    ],
)
def test_a_wrong_date_is_an_error_in_words_and_keeps_what_was_typed(world, login, day, month, year, message):
    data = {
        "goal": world.goal.id,
        "title": "Home visit",
        "accountable": world.nia.id,
        "due_date_day": day,
        "due_date_month": month,
        "due_date_year": year,
    }
    before = Milestone.objects.count()
    response = login("sam").post(reverse("plans:milestone_add", args=[world.case.id]), data)
    html = response.content.decode()
    assert response.status_code == 200 and message in html
    assert 'href="#id_due_date_day"' in html  # the error summary goes to the first box
    for part, typed in (("day", day), ("month", month), ("year", year)):
        if typed:
            assert f'name="due_date_{part}" value="{typed}"' in html or f'value="{typed}"' in html
    assert Milestone.objects.count() == before


def test_the_consent_form_names_the_date_in_its_error(world, login):
    data = {
        "decision": "given",
        "category": "health",
        "agency": world.social.id,
        "purpose": "Joint plan",
        "given_by": "Maya's mother",
        "valid_from_day": "1",
        "valid_from_month": "",
        "valid_from_year": "2026",
    }
    response = login("nia").post(reverse("sharing:consent_record", args=[world.maya.id]), data)
    assert "The start date must include a month." in response.content.decode()
    assert not Consent.objects.exists()


def test_a_single_iso_value_is_still_read(world, login):
    """Old links and scripts that send `due_date=YYYY-MM-DD` keep working."""
    due = timezone.localdate() + datetime.timedelta(days=9)
    data = {"goal": world.goal.id, "title": "Visit", "accountable": world.nia.id, "due_date": due.isoformat()}
    assert login("sam").post(reverse("plans:milestone_add", args=[world.case.id]), data).status_code == 302
