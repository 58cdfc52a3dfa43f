"""Fixtures for the API tests: the shared `world` plus a few extras, and token clients.

scene (on top of `world`):
- ben: a second person, on a second case (case2) led by sam with nobody else on its team,
  so sam and sue (who leads sam's team) see ben; nobody else does; ben has no portal login;
- sue_milestone: a milestone on the world's case that sue (not nia) is accountable for;
- ada: an agency administrator of the health agency, on no case.
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
from plans import services as plan_services
from tests.factories import api_token_for

ROLES = ["sam", "nia", "sue", "hal", "ivy", "oz", "ada", "admin", "maya", "anon"]


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


@pytest.fixture(autouse=True)
def _fresh_throttle_cache():
    """Throttle counters live in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def scene(world):
    a = world.admin
    ada = agency_services.professional_create(
        username="ada",
        password=world.password,
        given_name="Ada",
        family_name="Tester",
        agency=world.health,
        profession="manager",
        is_agency_admin=True,
        actor=a,
    )
    ben = case_services.person_register(given_name="Ben", family_name="Adeyemi", actor=world.sam.user)
    case2 = case_services.case_open(title="Adeyemi support", people=[ben], lead=world.sam, actor=world.sam.user)
    sue_milestone = plan_services.milestone_add(
        case=world.case,
        goal=world.goal,
        title="Arrange a review meeting",
        due_date=days(21),
        accountable=world.sue,
        actor=world.sam.user,
    )
    return SimpleNamespace(**vars(world), ada=ada, ben=ben, case2=case2, sue_milestone=sue_milestone)


def user_of(scene, role: str):
    if role == "anon":
        return None
    if role == "admin":
        return scene.admin
    if role == "maya":
        return scene.maya.user
    return getattr(scene, role).user


def token_client(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(user)}")
    return client


@pytest.fixture
def client_as(scene):
    """client_as("sam") -> an APIClient sending sam's token; "anon" sends none."""
    clients: dict[str, APIClient] = {}

    def make(role: str) -> APIClient:
        if role not in clients:
            clients[role] = token_client(user_of(scene, role))
        return clients[role]

    return make
