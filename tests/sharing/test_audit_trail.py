"""The audit trail for people (issue 11, found 6): filters in words (a person's name, a
case reference, a professional's name, an agency, an action in words, dates) with
auto-complete over what the IG lead may read; actions in words; runs of list reads as one
line; a CSV a subject-access request can use; the records opened under one override."""

import csv
import datetime
import io
import re
from html import escape
from pathlib import Path

import pytest
from django.http import StreamingHttpResponse
from django.utils import timezone

from agencies import services as agency_services
from audit.models import AuditEvent
from sharing import selectors as sharing_selectors
from sharing.audit_labels import ACTION_LABELS, action_label
from tests.sharing.conftest import consent, override, write

ROOT = Path(__file__).resolve().parents[2]
APPS = ["audit", "agencies", "accountability", "cases", "plans", "sharing", "portal", "workspace", "meetings"]


def _trail(client, query=""):
    return client.get(f"/audit/?{query}")


def _rows(client, query=""):
    """The trail's table body (the filters' own lists name every action too)."""
    html = _trail(client, query).content.decode()
    return html.split("<tbody>")[1].split("</tbody>")[0] if "<tbody>" in html else ""


@pytest.fixture
def ivy(world, client):
    client.force_login(world.ivy.user)
    return client


@pytest.fixture
def trail_world(world):
    """nia (health) writes a health record about maya; sam (social) reads it under consent
    and lists the case's records; the trail of health's IG lead ivy holds all of it."""
    record = write(world, world.nia, "health", about=[world.maya])
    consent(world, world.maya, "health", world.social)
    sharing_selectors.record_get_for(user=world.sam.user, record_id=record.id)
    return record


def test_a_persons_name_filters_the_trail_instead_of_asking_for_a_uuid(world, ivy, trail_world):
    response = _trail(ivy, "person=Okafor")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Enter a valid UUID" not in html
    assert "Maya Okafor" in html
    assert "Opened a record" in html  # sam's read, in words
    viewed = AuditEvent.objects.filter(action="audit.trail.viewed").latest("id")
    assert viewed.person == world.maya.id  # the read of the trail names the person it was about


def test_case_reference_professional_agency_action_and_dates_filter_in_words(world, ivy, trail_world):
    today = timezone.localdate()
    rows = _rows(ivy, f"case={world.case.reference}&action=cases.record.viewed")
    assert world.case.reference in rows and "Opened a record" in rows and "Wrote a record" not in rows
    rows = _rows(ivy, "actor=Sam+Tester")
    assert "Sam Tester" in rows and "Nia Tester" not in rows
    rows = _rows(ivy, f"agency={world.health.id}")
    assert "Nia Tester" in rows and "Sam Tester" not in rows
    day = f"date_from_day={today.day}&date_from_month={today.month}&date_from_year={today.year}"
    assert "Wrote a record" in _rows(ivy, day)
    yesterday = today - datetime.timedelta(days=1)
    before = f"date_to_day={yesterday.day}&date_to_month={yesterday.month}&date_to_year={yesterday.year}"
    assert "No audit events match" in _trail(ivy, before).content.decode()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("person=Nobody+Here", "No one called “Nobody Here” appears in the audit trail you can read."),
        ("case=C-1999-99999", "No case with a reference like “C-1999-99999” appears"),
        ("actor=Zed", "No professional called “Zed” appears"),
        ("date_from_day=3&date_from_month=&date_from_year=2026", "The from date must include a month."),
        ("date_from_day=31&date_from_month=2&date_from_year=2026", "The from date must be a real date"),
        ("date_from_day=x&date_from_month=2&date_from_year=2026", "The from date must be a real date"),
        ("date_from_day=1&date_from_month=2&date_from_year=26", "Year must include 4 numbers."),
        (
            "date_from_day=2&date_from_month=2&date_from_year=2026&date_to_day=1&date_to_month=2&date_to_year=2026",
            "The to date must be the same as or after the from date.",
        ),
        ("action=not.a.code", "Select a valid choice"),
        ("agency=not-an-agency", "Select a valid choice"),
        ("person=" + "x" * 500, "at most 200 characters"),
        ("from=2026-99-99", None),  # the API's names on the page: ignored, never a 500
        ("person=%00", None),
    ],
)
def test_bad_filter_input_is_a_clear_message_never_a_500(world, ivy, trail_world, query, message):
    for url in ("/audit/", "/audit/export.csv"):
        response = ivy.get(f"{url}?{query}")
        assert response.status_code in (200, 400), (url, response.status_code)
        if message:
            assert response.status_code == 400
            assert message in response.content.decode()


def test_actions_are_in_words_and_ids_are_names(world, ivy, trail_world):
    tbody = _rows(ivy)
    assert "cases.record" not in tbody and "<code>" not in tbody
    assert str(world.maya.id)[:8] + "<" not in tbody
    assert "Maya Okafor" in tbody and world.case.reference in tbody


def test_a_run_of_list_reads_is_one_line_with_its_count(world, ivy):
    for _ in range(6):
        write(world, world.nia, "health", about=[world.maya])
    list(sharing_selectors.record_list_visible_to(user=world.hal.user, case=world.case))
    assert AuditEvent.objects.filter(action="cases.record.listed", actor=world.hal.id).count() == 6
    rows = [r for r in _rows(ivy, "actor=Hal").split("<tr>")[1:] if "Saw records in a list" in r]
    assert len(rows) == 1 and "6 reads" in rows[0]


def test_the_csv_names_people_cases_and_actions_streamed_and_audited(world, ivy, trail_world):
    response = ivy.get("/audit/export.csv?person=Maya+Okafor")
    assert isinstance(response, StreamingHttpResponse)
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows and all(r["person"] == "Maya Okafor" for r in rows)
    assert {r["case_reference"] for r in rows} == {world.case.reference, ""}  # registering maya names no case
    assert "Opened a record" in {r["action"] for r in rows}
    assert all(r["action"] == action_label(r["action_code"]) for r in rows)
    exported = AuditEvent.objects.filter(action="audit.trail.exported").latest("id")
    assert exported.person == world.maya.id and exported.detail["events"] == len(rows)


def test_auto_complete_offers_only_what_the_ig_lead_may_read(world, ivy, trail_world, admin_user):
    html = ivy.get("/audit/suggest/?field=person&person=Oka").content.decode()
    assert '<option value="Maya Okafor">' in html
    cases = ivy.get(f"/audit/suggest/?field=case&case={world.case.reference[:6]}").content.decode()
    assert world.case.reference in cases
    assert "Sam Tester" in ivy.get("/audit/suggest/?field=actor&actor=Sam").content.decode()
    assert AuditEvent.objects.filter(action="cases.person.listed", actor=world.ivy.id, person=world.maya.id).exists()
    # an IG lead of an agency that has nothing to do with maya's case is offered nobody
    police = agency_services.agency_create(name="Northvale Police", kind="police", actor=admin_user)
    pat = agency_services.professional_create(
        username="pat",
        password="x-password-1",
        given_name="Pat",
        family_name="Tester",
        agency=police,
        team=None,
        profession="manager",
        email="pat@example.org",
        actor=admin_user,
    )
    agency_services.agency_update(agency=police, information_governance_lead=pat, actor=admin_user)
    ivy.force_login(pat.user)
    assert "Okafor" not in ivy.get("/audit/suggest/?field=person&person=Oka").content.decode()
    assert "No one called “Okafor” appears" in ivy.get("/audit/?person=Okafor").content.decode()
    ivy.force_login(world.sam.user)
    assert ivy.get("/audit/suggest/?field=person&person=Oka").status_code == 403


def test_the_filter_fields_auto_complete_with_htmx_and_no_inline_script(world, ivy):
    html = _trail(ivy).content.decode()
    for name in ("person", "case", "actor"):
        assert f'list="id_{name}_suggestions"' in html and f'id="id_{name}_suggestions"' in html
    assert "hx-get=" in html and "<script>" not in html and " onclick=" not in html


def test_the_trail_page_reads_a_constant_number_of_queries(world, ivy, django_assert_max_num_queries):
    for _ in range(3):
        write(world, world.nia, "health", about=[world.maya])
    with django_assert_max_num_queries(18):
        assert _trail(ivy).status_code == 200
    for _ in range(30):
        write(world, world.nia, "health", about=[world.maya])
        sharing_selectors.record_get_for(user=world.nia.user, record_id=AuditEvent.objects.latest("id").subject_id)
    with django_assert_max_num_queries(18):
        assert _trail(ivy).status_code == 200


# --- The records opened under an override -----------------------------------------------


def test_the_reviewer_sees_the_records_opened_under_the_override_and_nothing_else(world, ivy, client):
    social = write(world, world.sam, "social_care", about=[world.maya])
    write(world, world.sam, "social_care", about=[world.maya])  # never opened
    access = override(world, world.nia, "social_care")
    sharing_selectors.record_get_for(user=world.nia.user, record_id=social.id)
    sharing_selectors.record_get_for(user=world.nia.user, record_id=social.id)
    url = f"/governance/overrides/{access.id}/records/"
    review = ivy.get(f"/governance/reviews/{access.id}/").content.decode()
    assert f'href="{url}"' in review
    response = ivy.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<td>Opened</td>") == 2
    assert "Social care" in html and "Maya Okafor" in html and escape(world.social.name) in html
    assert "Visited the family" not in html  # no record text
    assert AuditEvent.objects.filter(action="audit.trail.viewed", subject_id=access.id, actor=world.ivy.id).exists()
    client.force_login(world.oz.user)
    assert client.get(url).status_code == 404


# --- One label for every action code -----------------------------------------------------

CODE = re.compile(r"""["']((?:""" + "|".join(APPS) + r""")\.[a-z_{}]+\.[a-z_{}]+)["']""")


def _codes_in_source() -> set[str]:
    codes = set()
    for app in APPS:
        folder = ROOT / app
        if not folder.exists():
            continue
        for path in folder.rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for code in CODE.findall(path.read_text()):
                module = code.split("{")[0].rsplit(".", 1)[0].replace(".", "/")
                if (ROOT / f"{module}.py").exists() or (ROOT / module).is_dir() and "{" not in code:
                    continue  # a dotted module path (tasks, urls), not an action code
                codes.add(code)
    return codes


def test_every_action_code_written_anywhere_has_a_label():
    codes = _codes_in_source()
    assert "cases.record.viewed" in codes and "cases.{subject_type}.handed_over" in codes  # the scan finds them
    missing = set()
    for code in codes:
        if "{" in code:
            pattern = re.compile("^" + re.sub(r"\\\{[a-z_]+\\\}", "[a-z_]+", re.escape(code)) + "$")
            if not any(pattern.match(label) for label in ACTION_LABELS):
                missing.add(code)
        elif code not in ACTION_LABELS:
            missing.add(code)
    assert not missing, f"give these action codes a label in sharing/audit_labels.py: {sorted(missing)}"


def test_every_action_the_world_writes_has_a_label(world, trail_world):
    override(world, world.nia, "social_care")
    written = set(AuditEvent.objects.values_list("action", flat=True))
    assert written - set(ACTION_LABELS) == set()
