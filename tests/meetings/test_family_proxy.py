"""The family's view through a proxy (issue 13, "The family's view through the portal"): a parent or
carer with proxy access in force for the person (not ended, frozen or expired; either scope, both of
which carry the plan) gives the family's view for them, sealed like every view; a frozen or expired
proxy, or one for someone else, gets 404. The family gives one view, and the account that first gave
it is its author: nobody else in the family reads or changes it before the chair opens the meeting
(decision 0072)."""

import datetime

import pytest
from django.test import Client

from audit.models import AuditEvent
from cases import services as case_services
from cases.models import ProxyAccess
from meetings import services
from meetings.models import MeetingView
from tests.meetings.conftest import api, schedule

pytestmark = pytest.mark.django_db

VIEW = {"worries": "PIP-WORRY", "working_well": "School", "next_steps": "Help with money", "rating": "6"}


def browser(user):
    c = Client()
    c.force_login(user)
    return c


def test_a_proxy_gives_the_familys_view_for_the_linked_person_sealed_until_opening(mw, meet, pip):
    pip_page = browser(pip.user)
    listing = pip_page.get(f"/portal/for/{mw.maya.id}/meetings/")
    assert listing.status_code == 200
    assert f"/portal/for/{mw.maya.id}/meetings/{meet.id}/" in listing.content.decode()
    url = f"/portal/for/{mw.maya.id}/meetings/{meet.id}/"
    assert pip_page.get(url).status_code == 200
    saved = pip_page.post(url, VIEW)
    assert saved.status_code == 302 and saved["Location"] == url
    view = MeetingView.objects.get(meeting=meet, family=True)
    assert (view.person_id, view.given_by_user_id) == (mw.maya.id, pip.user.id)
    event = AuditEvent.objects.filter(action="portal.meeting.viewed").latest("id")
    assert event.detail == {"proxy": str(mw.pip_proxy.id)}
    assert "PIP-WORRY" in pip_page.get(url).content.decode()  # his own words, to change them
    # Sealed: the chair sees only that the family has given a view.
    before = api(mw.sam.user).get(f"/api/v1/meetings/{meet.id}/").json()
    assert before["family_view_given"] is True and "PIP-WORRY" not in str(before)
    # And Maya, in her own portal, is told someone in her family gave it, never what it says.
    maya_page = browser(mw.maya.user).get(f"/portal/meetings/{meet.id}/").content.decode()
    assert "PIP-WORRY" not in maya_page and "Someone else in your family" in maya_page
    services.meeting_open(meeting=meet, actor=mw.sam.user)
    after = api(mw.sam.user).get(f"/api/v1/meetings/{meet.id}/").json()
    assert after["views"][0]["family"] is True and after["views"][0]["worries"] == "PIP-WORRY"


def test_a_proxy_gives_and_reads_the_view_through_the_api_with_person(mw, meet, pip):
    body = {"rating": 4, "worries": "API-PIP", "working_well": "w", "next_steps": "n"}
    url = f"/api/v1/meetings/{meet.id}/my-view/?person={mw.maya.id}"
    assert api(pip.user).put(url, body, format="json").status_code == 200
    assert api(pip.user).get(url).json()["worries"] == "API-PIP"
    # without ?person= it is Pip's own family, who are on no case of this meeting
    assert api(pip.user).get(f"/api/v1/meetings/{meet.id}/my-view/").status_code == 404


def test_the_first_family_account_to_give_the_view_is_its_only_author(mw, meet, pip):
    maya = browser(mw.maya.user)
    assert maya.post(f"/portal/meetings/{meet.id}/", {**VIEW, "worries": "MAYA-OWN"}).status_code == 302
    pip_page = browser(pip.user)
    page = pip_page.get(f"/portal/for/{mw.maya.id}/meetings/{meet.id}/").content.decode()
    assert "MAYA-OWN" not in page and "Someone else in your family" in page and "Send my view" not in page
    refused = api(pip.user).put(
        f"/api/v1/meetings/{meet.id}/my-view/?person={mw.maya.id}",
        {"rating": 1, "worries": "OVERWRITE", "working_well": "w", "next_steps": "n"},
        format="json",
    )
    assert refused.status_code == 400 and "Only they can change it" in str(refused.json())
    assert api(pip.user).get(f"/api/v1/meetings/{meet.id}/my-view/?person={mw.maya.id}").status_code == 404
    assert MeetingView.objects.get(meeting=meet, family=True).worries == "MAYA-OWN"


@pytest.mark.parametrize("how", ["frozen", "expired", "ended"])
def test_a_frozen_expired_or_ended_proxy_gets_404(mw, meet, pip, how):
    proxy = mw.pip_proxy
    if how == "frozen":
        case_services.proxy_freeze(proxy=proxy, actor=mw.sam.user)
    elif how == "expired":
        ProxyAccess.objects.filter(pk=proxy.pk).update(valid_until=datetime.date(2000, 1, 1))
    else:
        case_services.proxy_end(proxy=proxy, actor=mw.sam.user)
    pip_page = browser(pip.user)
    assert pip_page.get(f"/portal/for/{mw.maya.id}/meetings/").status_code == 404
    assert pip_page.get(f"/portal/for/{mw.maya.id}/meetings/{meet.id}/").status_code == 404
    assert pip_page.post(f"/portal/for/{mw.maya.id}/meetings/{meet.id}/", VIEW).status_code == 404
    body = {"rating": 4, "worries": "x", "working_well": "w", "next_steps": "n"}
    assert (
        api(pip.user).put(f"/api/v1/meetings/{meet.id}/my-view/?person={mw.maya.id}", body, format="json").status_code
        == 404
    )
    assert not MeetingView.objects.filter(meeting=meet).exists()


def test_a_proxy_for_someone_else_or_a_meeting_the_family_is_not_asked_to_is_404(mw, meet, pip):
    other = case_services.person_register(given_name="Zed", family_name="Other", actor=mw.oz.user)
    pip_page = browser(pip.user)
    assert pip_page.get(f"/portal/for/{other.id}/meetings/").status_code == 404
    assert pip_page.get(f"/portal/for/{other.id}/meetings/{meet.id}/").status_code == 404
    assert pip_page.get(f"/portal/meetings/{meet.id}/").status_code == 404  # Pip's own family is not on it
    not_asked = schedule(mw, family_invited=False)
    assert pip_page.get(f"/portal/for/{mw.maya.id}/meetings/{not_asked.id}/").status_code == 404


def test_the_plan_and_consents_scope_gives_the_view_too(mw, meet, pip):
    ProxyAccess.objects.filter(pk=mw.pip_proxy.pk).update(scope="plan_and_consents")
    assert browser(pip.user).post(f"/portal/for/{mw.maya.id}/meetings/{meet.id}/", VIEW).status_code == 302
