"""GOV.UK style labels (issue 11, found 1): a label says "(optional)" exactly when the field
may be left empty. For every form page, an empty submit tells which fields are required
(they get an error); the page must mark every other field, and only those, "(optional)"."""

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from cases import services as case_services
from sharing import services as sharing_services

pytestmark = pytest.mark.django_db

_GROUP = re.compile(r'<div class="ju-form-group[^"]*">(.*?)(?=<div class="ju-form-group|</form>)', re.S)
_NAME = re.compile(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"')
_LABEL = re.compile(r"<(label|legend)[^>]*>(.*?)</\1>", re.S)


def _marked_fields(html: str) -> dict[str, bool]:
    """Each form field's name -> whether its label or legend says "(optional)"."""
    marked: dict[str, bool] = {}
    for group in _GROUP.findall(html):
        names = [n for n in _NAME.findall(group) if n != "csrfmiddlewaretoken"]
        if not names:
            continue
        labels = [text for _tag, text in _LABEL.findall(group)]
        if 'type="checkbox"' in group and 'ju-checkbox"' in group:
            continue  # a single checkbox: ticking it is the choice, never "(optional)"
        name = re.sub(r"_(day|month|year)$", "", names[0])  # GOV.UK's date boxes are one field
        marked[name] = "(optional)" in (labels[0] if labels else "")
    return marked


class _EmptySubmit(HTMLParser):
    """What a browser sends when the form is submitted with every box cleared: text fields empty,
    checked radios and boxes, each select's selected (or first) option."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, str] = {}
        self._select: str | None = None
        self._first = True

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and name != "csrfmiddlewaretoken":
            kind = a.get("type", "text")
            if kind in ("radio", "checkbox"):
                if "checked" in a:
                    self.data[name] = a.get("value") or "on"
            elif kind == "hidden":
                self.data.setdefault(name, a.get("value") or "")
            elif kind != "submit":
                self.data[name] = ""  # cleared, even where the form came filled in (an edit form)
        elif tag == "textarea" and name:
            self.data[name] = ""
        elif tag == "select" and name:
            self._select, self._first = name, True
        elif tag == "option" and self._select:
            if self._first or "selected" in a:
                self.data[self._select] = a.get("value") or ""
            self._first = False

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def _untouched(html: str) -> dict[str, str]:
    form = html[html.index('<form method="post"', html.index("<main")) :]
    parser = _EmptySubmit()
    parser.feed(form[: form.index("</form>")])
    parser.data.setdefault("submitted", "")  # a browser always sends the CSRF token: never an empty body
    return parser.data


def _with_ada(world):
    """A second person on the case (a relationship needs two), and their household."""
    ada = case_services.person_register(given_name="Ada", family_name="Okafor", actor=world.sam.user)
    world.case.people.add(ada)
    return case_services.household_create(name="Okafor household", members=[world.maya], actor=world.sam.user)


def _override(world):
    return sharing_services.safeguarding_access_take(
        case=world.case,
        category="health",
        lawful_basis="child_at_risk",
        justification="Maya told her teacher she is frightened to go home tonight.",
        actor=world.sam.user,
    )


FORMS = [
    ("sam", lambda w: reverse("sharing:record_write", args=[w.case.id])),
    ("sam", lambda w: reverse("sharing:consent_record", args=[w.maya.id])),
    ("sam", lambda w: reverse("sharing:override_take", args=[w.case.id])),
    ("sue", lambda w: reverse("sharing:review_record", args=[_override(w).id])),
    ("sam", lambda w: reverse("plans:goal_add", args=[w.case.id])),
    ("sam", lambda w: reverse("plans:milestone_add", args=[w.case.id])),
    ("sam", lambda w: reverse("plans:review_add", args=[w.case.id])),
    ("sam", lambda w: reverse("plans:milestone_handover", args=[w.milestone.id])),
    ("sam", lambda w: reverse("plans:goal_edit", args=[w.goal.id])),
    ("sam", lambda w: reverse("plans:goal_outcome", args=[w.goal.id])),
    ("sam", lambda w: reverse("plans:milestone_edit", args=[w.milestone.id])),
    ("sam", lambda w: reverse("plans:milestone_redate", args=[w.milestone.id])),
    ("sam", lambda w: reverse("plans:review_redate", args=[w.review.id])),
    ("sam", lambda w: reverse("cases:case_open")),
    ("sam", lambda w: reverse("cases:person_register")),
    ("sam", lambda w: reverse("cases:assignment_add", args=[w.case.id])),
    ("sam", lambda w: reverse("cases:case_close", args=[w.case.id])),
    ("sam", lambda w: reverse("cases:household_add", args=[w.case.id])),
    ("sam", lambda w: reverse("cases:household_edit", args=[w.case.id, _with_ada(w).id])),
    ("sam", lambda w: _with_ada(w) and reverse("cases:case_relationship_add", args=[w.case.id])),
]


@pytest.mark.parametrize(("who", "url"), FORMS, ids=[f"form{i}" for i in range(len(FORMS))])
def test_only_fields_that_may_be_left_empty_say_optional(world, login, who, url):
    client = login(who)
    path = url(world)
    page = client.get(path)
    assert page.status_code == 200, path
    marked = _marked_fields(page.content.decode())
    assert marked, f"no form fields found on {path}"
    untouched = _untouched(page.content.decode())
    empty = client.post(path, untouched)
    assert empty.status_code == 200, path
    required = set(empty.context["form"].errors) - {"__all__"}
    for name, optional in marked.items():
        if untouched.get(name):
            continue  # comes with a choice made (a default radio, a select without a blank): not left empty
        if name in required:
            assert not optional, f"{path}: {name} is required but labelled (optional)"
        else:
            assert optional, f"{path}: {name} may be left empty but is not labelled (optional)"


def test_the_consent_form_marks_only_the_end_date_optional(world, login):
    client = login("sam")
    marked = _marked_fields(client.get(reverse("sharing:consent_record", args=[world.maya.id])).content.decode())
    assert [name for name, optional in marked.items() if optional] == ["valid_until"]
    assert "style=" not in client.get(reverse("sharing:consent_record", args=[world.maya.id])).content.decode()
