"""The family's own view in the API (review S7): portal.isolation's allow-list is the single gate,
so a portal account reaches `api:meeting-my-view` alike by session and by token, for a meeting of
its own case only; another person's meeting answers 404 both ways."""

import datetime

import pytest
from django.test import Client
from rest_framework.test import APIClient

from cases import services as case_services
from tests.factories import api_token_for
from tests.meetings.conftest import schedule

pytestmark = pytest.mark.django_db


def test_the_family_reaches_its_own_view_by_session_and_token_and_no_one_elses(mw, meet):
    zed = case_services.person_register(
        given_name="Zed", family_name="Other", date_of_birth=datetime.date(2015, 1, 2), actor=mw.sam.user
    )
    other_case = case_services.case_open(title="Other family", people=[zed], lead=mw.sam, actor=mw.sam.user)
    case_services.assignment_add(case=other_case, professional=mw.nia, role="contributor", actor=mw.sam.user)
    other = schedule(mw, case=other_case, invitees=[])
    session = Client()
    session.force_login(mw.maya.user)
    token = APIClient()
    token.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(mw.maya.user)}")
    body = {"rating": 6, "worries": "w", "working_well": "g", "next_steps": "n"}
    for client in (session, token):
        own = client.put(f"/api/v1/meetings/{meet.id}/my-view/", body, content_type="application/json")
        assert own.status_code == 200
        assert client.get(f"/api/v1/meetings/{meet.id}/my-view/").json()["worries"] == "w"
        assert client.get(f"/api/v1/meetings/{other.id}/my-view/").status_code == 404
        put = client.put(f"/api/v1/meetings/{other.id}/my-view/", body, content_type="application/json")
        assert put.status_code == 404
    assert not other.views.exists() and meet.views.filter(family=True).count() == 1
