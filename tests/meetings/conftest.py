"""Fixtures for the meetings tests, on top of the shared `world`:

- tia: a teacher of a third agency (Brookfield School), a contributor on the case (three
  agencies on the team, so a conference can be quorate);
- `pip`: Maya's father, with a portal account of his own and proxy access (plan scope) for Maya;
- `meet`: an initial conference on the world's case chaired by sam (lead professional), notes by
  nia, tia and sue invited, the family invited; views due tomorrow, the meeting the day after.
"""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from agencies import services as agency_services
from cases import services as case_services
from meetings import services
from tests.factories import PASSWORD


def at(days: int, hour: int = 10) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime(day.year, day.month, day.day, hour, 0))


@pytest.fixture(autouse=True)
def _fresh_throttle_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def mw(world):
    a = world.admin
    school = agency_services.agency_create(name="Brookfield School", kind="education", actor=a)
    steam = agency_services.team_create(agency=school, name="Pastoral", actor=a)
    tia = agency_services.professional_create(
        username="tia",
        password=PASSWORD,
        given_name="Tia",
        family_name="Tester",
        agency=school,
        team=steam,
        profession="teacher",
        email="tia@example.org",
        actor=a,
    )
    case_services.assignment_add(case=world.case, professional=tia, role="contributor", actor=world.sam.user)
    world.tia = tia
    world.school = school
    return world


def schedule(w, **overrides):
    args = {
        "case": w.case,
        "kind": "initial_conference",
        "starts_at": at(2),
        "ends_at": at(2, 12),
        "location": "Riverside Civic Centre, room 2",
        "chair": w.sam,
        "note_taker": w.nia,
        "invitees": [w.tia, w.sue],
        "family_invited": True,
        "views_due_at": at(1, 17),
        "actor": w.sam.user,
    }
    args.update(overrides)
    return services.meeting_schedule(**args)


@pytest.fixture
def meet(mw):
    return schedule(mw)


def give(meeting, who, rating=5, words="", category="general"):
    user = who.user
    return services.view_give(
        meeting=meeting,
        actor=user,
        rating=rating,
        worries=f"worry of {words or user.username}",
        working_well=f"well of {words or user.username}",
        next_steps=f"next of {words or user.username}",
        category=category,
    )


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def ns():
    return SimpleNamespace


@pytest.fixture
def pip(mw):
    """Maya's father Pip: his own portal account (his own person, not on the case), a parent with
    parental responsibility, linked to Maya as a proxy with the plan scope."""
    sam = mw.sam.user
    person = case_services.person_register(
        given_name="Pip", family_name="Okafor", date_of_birth=datetime.date(1985, 2, 1), actor=sam
    )
    case_services.person_portal_account_create(person=person, username="pip", password=PASSWORD, actor=sam)
    case_services.relationship_add(person=person, to=mw.maya, kind="parent", parental_responsibility=True, actor=sam)
    proxy = case_services.proxy_link(
        person=mw.maya, username="pip", scope="plan", valid_until=mw.goal.target_date, actor=sam
    )
    mw.pip = person
    mw.pip_proxy = proxy
    return person
