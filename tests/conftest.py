"""The shared `world`: two agencies, team leads, professionals on a case, an
outsider, a service user. Built through the services, as a user would."""

import datetime
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from accountability.models import Reminder
from agencies import services as agency_services
from cases import services as case_services
from cases.notices import ADDED_TO_TEAM
from plans import services as plan_services
from tests.factories import PASSWORD, mark_second_factor_verified


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


@pytest.fixture
def admin_user(db, _fast_password_hasher):
    return get_user_model().objects.create_superuser("admin", "admin@example.org", PASSWORD)


@pytest.fixture
def world(db, admin_user, _fast_password_hasher):
    """
    health (agency): team "Health visiting" led by hal; nia (health visitor), ivy (IG lead)
    social (agency): team "Family support" led by sue; sam (social worker), oz (outsider)
    case: Okafor family (person maya), lead sam; nia contributor; sue team_lead.
    hal sees the case because he leads nia's team. oz sees nothing.
    maya has a portal account (username "maya").
    """
    a = admin_user
    health = agency_services.agency_create(name="Northvale Community Health", kind="health", actor=a)
    social = agency_services.agency_create(name="Northvale Children's Services", kind="social_care", actor=a)
    hteam = agency_services.team_create(agency=health, name="Health visiting", actor=a)
    steam = agency_services.team_create(agency=social, name="Family support", actor=a)

    def prof(username, agency, team, profession):
        return agency_services.professional_create(
            username=username,
            password=PASSWORD,
            given_name=username.title(),
            family_name="Tester",
            agency=agency,
            team=team,
            profession=profession,
            email=f"{username}@example.org",
            actor=a,
        )

    nia = prof("nia", health, hteam, "health_visitor")
    hal = prof("hal", health, hteam, "manager")
    ivy = prof("ivy", health, hteam, "manager")
    sam = prof("sam", social, steam, "social_worker")
    sue = prof("sue", social, steam, "manager")
    oz = prof("oz", social, steam, "social_worker")
    agency_services.team_update(team=hteam, lead=hal, actor=a)
    agency_services.team_update(team=steam, lead=sue, actor=a)
    agency_services.agency_update(agency=health, information_governance_lead=ivy, actor=a)
    agency_services.agency_update(agency=social, information_governance_lead=sue, actor=a)

    maya = case_services.person_register(
        given_name="Maya", family_name="Okafor", date_of_birth=datetime.date(2016, 3, 14), actor=sam.user
    )
    case = case_services.case_open(title="Okafor family support", people=[maya], lead=sam, actor=sam.user)
    case_services.assignment_add(case=case, professional=nia, role="contributor", actor=sam.user)
    case_services.assignment_add(case=case, professional=sue, role="team_lead", actor=sam.user)
    goal = plan_services.goal_add(
        case=case,
        description="Maya attends school every day",
        measure="Attendance above 95% over a term",
        target_date=days(90),
        plain_summary="Maya goes to school every day",
        actor=sam.user,
    )
    milestone = plan_services.milestone_add(
        case=case,
        goal=goal,
        title="Meet the school",
        due_date=days(14),
        accountable=nia,
        plain_summary="We meet your school",
        actor=sam.user,
    )
    review = plan_services.review_add(case=case, scheduled_for=days(60), accountable=sue, actor=sam.user)
    case_services.person_portal_account_create(person=maya, username="maya", password=PASSWORD, actor=sam.user)
    # Setting the world up is not news: the "added to a case team" notices its set-up queued are
    # cleared, so each test counts only the reminders and notices it causes (tests/reminders/
    # test_notices.py adds people to teams itself).
    Reminder.objects.filter(kind=ADDED_TO_TEAM).delete()
    return SimpleNamespace(
        admin=a,
        health=health,
        social=social,
        hteam=hteam,
        steam=steam,
        nia=nia,
        hal=hal,
        ivy=ivy,
        sam=sam,
        sue=sue,
        oz=oz,
        maya=maya,
        case=case,
        goal=goal,
        milestone=milestone,
        review=review,
        password=PASSWORD,
    )


@pytest.fixture(autouse=True)
def _no_rate_limit_counts_left_over():
    """Rate-limit counters (exports, searches) live in the in-process cache; each test starts
    with none, as user ids repeat from one test's database to the next."""
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    if isinstance(caches["default"], LocMemCache):  # never a shared Redis
        caches["default"].clear()


@pytest.fixture(autouse=True)
def _force_login_is_a_whole_sign_in(monkeypatch):
    """`client.force_login(user)` stands for a completed sign-in: password AND, where due, the
    second factor (REQUIRE_2FA is on in tests as in production). Tests of the two-factor rules
    themselves sign in through the pages, or call `force_login_password_only`."""
    original = Client.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        mark_second_factor_verified(self, user)

    monkeypatch.setattr(Client, "force_login", force_login)
    monkeypatch.setattr(Client, "force_login_password_only", original, raising=False)


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """Real hashing costs ~0.3 s per login; tests check behaviour, not key stretching."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
