"""Query counts on the record list (API and page), the case page and its sharing
sections stay the same when records and consents grow tenfold."""

import itertools

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from agencies import services as agency_services
from tests.sharing.conftest import consent, days, override, write

CATEGORIES = ["general", "health", "social_care", "housing", "education", "mental_health"]
MAX_QUERIES = 25


def grow(world, agencies, n):
    authors = itertools.cycle([world.sam, world.nia])
    categories = itertools.cycle(CATEGORIES)
    for _ in range(n):
        write(world, next(authors), next(categories))
    combos = itertools.cycle([(c, a) for c in CATEGORIES[1:] for a in agencies])
    for i in range(n):
        category, agency = next(combos)
        consent(world, world.maya, category, agency, valid_from=days(-i), valid_until=days(i % 7) if i % 3 else None)


@pytest.fixture
def agencies(world):
    extra = [agency_services.agency_create(name=f"Agency {i}", kind="other", actor=world.admin) for i in range(3)]
    return [world.health, world.social, *extra]


def count(fn):
    with CaptureQueriesContext(connection) as ctx:
        response = fn()
    assert response.status_code == 200
    return len(ctx.captured_queries)


def paths(world):
    api = APIClient()
    api.force_authenticate(world.nia.user)
    page = Client()
    page.force_login(world.nia.user)
    case = world.case.id
    return {
        "api_record_list": lambda: api.get(f"/api/v1/cases/{case}/records/"),
        "page_record_list": lambda: page.get(f"/cases/{case}/records/"),
        "case_page": lambda: page.get(f"/cases/{case}/"),
        "case_sharing_sections": lambda: page.get(f"/cases/{case}/sharing/", HTTP_HX_REQUEST="true"),
        "search": lambda: page.get("/records/search/", {"q": "family"}),
        "people_consents": lambda: page.get(f"/people/{world.maya.id}/consents/"),
    }


@pytest.mark.parametrize(
    "path", ["api_record_list", "page_record_list", "case_page", "case_sharing_sections", "search", "people_consents"]
)
def test_query_count_is_constant_as_records_and_consents_grow_tenfold(world, agencies, path):
    override(world, world.nia, "housing")  # a record shown through an override adds its `used` event
    grow(world, agencies, 4)
    small = count(paths(world)[path])
    grow(world, agencies, 36)  # 40 records and 40 consents in all
    large = count(paths(world)[path])
    assert large == small, f"{path}: {small} queries with 4 records, {large} with 40"
    assert large <= MAX_QUERIES
