"""A view of a narrower category is read through the sharing policy after opening; the family gives
their view through the portal, sealed the same way, shown first; queries constant in invitees."""

import datetime

import pytest
from django.test import Client

from audit.models import AuditEvent
from meetings import services
from meetings.schedule import add_months, add_working_days, is_working_day, next_meetings_due
from tests.meetings.conftest import api, give, schedule
from tests.sharing.conftest import consent

pytestmark = pytest.mark.django_db


def test_a_health_view_is_read_after_opening_as_the_sharing_policy_decides(mw, meet):
    give(meet, mw.nia, 3, words="HEALTH-ONLY", category="health")
    give(meet, mw.tia, 6)
    services.meeting_open(meeting=meet, actor=mw.sam.user)

    def authors(who):
        return {v["author"] for v in api(who.user).get(f"/api/v1/meetings/{meet.id}/").json()["views"]}

    assert str(mw.nia.id) in authors(mw.nia) and str(mw.nia.id) in authors(mw.hal)  # own agency
    assert authors(mw.sam) == {str(mw.tia.id)}  # social care: no consent to health
    consent(mw, mw.maya, "health", mw.social)
    assert authors(mw.sam) == {str(mw.tia.id), str(mw.nia.id)}
    spread = api(mw.sam.user).get(f"/api/v1/meetings/{meet.id}/").json()["spread"]
    assert (spread["min"], spread["max"]) == (3, 6)


def test_a_health_view_read_after_opening_is_audited_as_a_record_read_with_its_basis(mw, meet):
    give(meet, mw.nia, 3, words="HEALTH-ONLY", category="health")
    give(meet, mw.tia, 6)
    services.meeting_open(meeting=meet, actor=mw.sam.user)
    health = meet.views.get(category="health").record_id

    def reads(who):
        return AuditEvent.objects.filter(action="cases.record.viewed", subject_id=health, actor=who.id)

    api(mw.sam.user).get(f"/api/v1/meetings/{meet.id}/")
    assert not reads(mw.sam).exists()  # not shown to social care: not read
    consent(mw, mw.maya, "health", mw.social)
    api(mw.sam.user).get(f"/api/v1/meetings/{meet.id}/")
    assert set(reads(mw.sam).values_list("basis", flat=True)) == {"consent"}
    assert reads(mw.sam).filter(person=mw.maya.id).exists()
    client = Client()
    client.force_login(mw.sam.user)
    before = reads(mw.sam).count()
    assert client.get(f"/meetings/{meet.id}/").status_code == 200
    assert reads(mw.sam).count() > before  # the page reads it too


def test_the_family_gives_a_view_in_the_portal_sealed_until_opening_and_shown_first(mw, meet):
    family = Client()
    family.force_login(mw.maya.user)
    listing = family.get("/portal/meetings/")
    assert listing.status_code == 200 and f"/portal/meetings/{meet.id}/" in listing.content.decode()
    refused = family.post(
        f"/portal/meetings/{meet.id}/", {"worries": "Typed worry", "working_well": "", "next_steps": "", "rating": "11"}
    )
    assert refused.status_code == 200
    html = refused.content.decode()
    assert "Typed worry" in html and "Choose a rating from 0 to 10." in html
    ok = family.post(
        f"/portal/meetings/{meet.id}/",
        {"worries": "FAMILY-WORDS", "working_well": "School", "next_steps": "Money help", "rating": "4"},
    )
    assert ok.status_code == 302
    assert AuditEvent.objects.get(action="meetings.view.given").basis == "self"
    before = api(mw.sam.user).get(f"/api/v1/meetings/{meet.id}/").json()
    assert before["family_view_given"] is True and "FAMILY-WORDS" not in str(before)
    services.meeting_open(meeting=meet, actor=mw.sam.user)
    after = api(mw.sam.user).get(f"/api/v1/meetings/{meet.id}/").json()
    assert after["views"][0]["family"] is True and after["views"][0]["worries"] == "FAMILY-WORDS"
    assert (
        family.post(
            f"/portal/meetings/{meet.id}/", {"worries": "late", "working_well": "x", "next_steps": "x", "rating": "5"}
        ).status_code
        == 200
    )
    assert api(mw.sam.user).get(f"/api/v1/meetings/{meet.id}/").json()["views"][0]["worries"] == "FAMILY-WORDS"
    services.meeting_close(meeting=meet, actor=mw.nia.user, minutes="Professional minutes", plain_summary="PLAIN")
    page = family.get(f"/portal/meetings/{meet.id}/").content.decode()
    assert "PLAIN" in page and "Professional minutes" not in page


def test_the_family_cannot_give_a_view_when_not_invited_nor_read_professional_views(mw):
    m = schedule(mw, family_invited=False)
    family = Client()
    family.force_login(mw.maya.user)
    assert family.get(f"/portal/meetings/{m.id}/").status_code == 404
    r = api(mw.maya.user).put(
        f"/api/v1/meetings/{m.id}/my-view/",
        {"rating": 5, "worries": "a", "working_well": "b", "next_steps": "c"},
        format="json",
    )
    assert r.status_code == 404
    assert (
        api(mw.maya.user).get(f"/api/v1/meetings/{m.id}/").status_code == 404
    )  # a portal account reaches nothing professional (portal.isolation)


def test_a_rating_outside_0_to_10_answers_400_and_writes_nothing(mw, meet):
    for rating in (-1, 11, "x", None):
        r = api(mw.tia.user).put(
            f"/api/v1/meetings/{meet.id}/my-view/",
            {"rating": rating, "worries": "a", "working_well": "b", "next_steps": "c"},
            format="json",
        )
        assert r.status_code == 400 and "rating" in r.json()
    assert not meet.views.exists()
    assert not AuditEvent.objects.filter(action__startswith="meetings.view").exists()


def _queries_for(mw, django_assert_max_num_queries, extra: int) -> None:
    from agencies import services as agency_services
    from cases import services as case_services
    from tests.factories import PASSWORD

    people = []
    for n in range(extra):
        p = agency_services.professional_create(
            username=f"inv{extra}x{n}",
            password=PASSWORD,
            given_name="Inv",
            family_name=str(n),
            agency=mw.school,
            team=None,
            profession="teacher",
            email=f"inv{extra}x{n}@example.org",
            actor=mw.admin,
        )
        case_services.assignment_add(case=mw.case, professional=p, role="contributor", actor=mw.sam.user)
        people.append(p)
    m = schedule(mw, invitees=people)
    for p in people:
        give(m, p, 5)
    services.meeting_open(meeting=m, actor=mw.sam.user)
    services.decision_record(
        meeting=m,
        actor=mw.sam.user,
        text="Decided",
        agreed_by=people[1:],
        # answered by sue, the chair's team lead, who is not invited: the professionals outside the
        # invitees are read in one query too
        dissent=[services.DissentIn(professional=people[0], reason="No")],
        actions=[
            services.ActionIn(
                goal=mw.goal,
                title="Act",
                due_date=datetime.date.today() + datetime.timedelta(days=14),
                accountable=people[0],
                plain_summary="",
            )
        ],
    )
    client = api(mw.sam.user)
    with django_assert_max_num_queries(11):
        r = client.get(f"/api/v1/meetings/{m.id}/")
    assert r.status_code == 200 and len(r.json()["views"]) == extra
    page = Client()
    page.force_login(mw.sam.user)
    with django_assert_max_num_queries(15):  # the API's 10 less its token, session, user, second factor, notices
        assert page.get(f"/meetings/{m.id}/").status_code == 200


@pytest.mark.parametrize("invitees", [2, 20])
def test_the_opened_meeting_costs_the_same_queries_for_2_or_20_invitees(mw, django_assert_max_num_queries, invitees):
    _queries_for(mw, django_assert_max_num_queries, invitees)


def test_working_days_skip_weekends_and_england_and_wales_bank_holidays():
    assert not is_working_day(datetime.date(2026, 12, 25)) and not is_working_day(datetime.date(2026, 12, 28))
    # Thursday 17 December 2026 + 10 working days: 18, 21, 22, 23, 24, 29, 30, 31 Dec, 4 (2 Jan is a Saturday,
    # 1 Jan a bank holiday), 5 January
    assert add_working_days(datetime.date(2026, 12, 17), 10) == datetime.date(2027, 1, 5)
    assert add_months(datetime.date(2027, 11, 30), 3) == datetime.date(2028, 2, 29)
    initial = dict(next_meetings_due(kind="initial_conference", held_on=datetime.date(2027, 2, 25)))
    assert initial["review_conference"] == datetime.date(2027, 5, 25)
    # 25 May 2027 is a Tuesday; the late-May bank holiday is Monday 31 May
    review = dict(next_meetings_due(kind="review_conference", held_on=datetime.date(2027, 2, 28)))
    assert review["review_conference"] == datetime.date(2027, 8, 27)  # 28 Aug 2027 is a Saturday
    assert next_meetings_due(kind="core_group", held_on=datetime.date(2027, 1, 4)) == []
