"""Exports and searches are rate-limited per user (issue 10, docs/decisions/0038): past the rate,
pages answer 429 in plain words and the API 429 with a sentence in `detail`, both with
Retry-After; another user is not slowed; lists without a search do not count."""

from __future__ import annotations

import pytest

from tests.security.conftest import api_client, page_client


@pytest.fixture
def tight(settings):
    rates = dict(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], export="2/hour", search="3/min")
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}


def test_page_searches_are_limited_per_user_with_a_plain_429(world, tight):
    sam = page_client(world.sam.user)
    answers = [sam.get(url).status_code for url in ("/records/search/?q=a", "/people/?q=b", "/cases/?q=c")]
    assert answers == [200, 200, 200]
    limited = sam.get("/records/search/?q=d")
    assert limited.status_code == 429
    assert limited["Content-Type"].startswith("text/plain")
    assert limited.content.decode().startswith("You have searched many times in a short time. Please wait")
    assert int(limited["Retry-After"]) >= 1
    # Lists without a search still answer; another professional is not slowed.
    assert sam.get("/cases/").status_code == 200
    assert page_client(world.nia.user).get("/records/search/?q=a").status_code == 200


def test_page_exports_are_limited_per_user(world, tight):
    sam = page_client(world.sam.user)
    url = f"/cases/{world.case.id}/records/export.csv"
    assert [sam.get(url).status_code for _ in range(2)] == [200, 200]
    limited = sam.get(url)
    assert limited.status_code == 429 and "many exports" in limited.content.decode()
    admin = page_client(world.admin)
    assert [admin.get("/audit/export.csv").status_code for _ in range(3)] == [200, 200, 429]


def test_api_searches_and_exports_answer_429_with_a_sentence(world, tight):
    sam = api_client(world.sam.user)
    for _ in range(3):
        assert sam.get("/api/v1/cases/?q=Okafor").status_code == 200
    limited = sam.get(f"/api/v1/cases/{world.case.id}/records/?q=visit")
    assert limited.status_code == 429
    assert limited.json()["detail"].startswith("You have searched many times in a short time. Please wait")
    assert "Retry-After" in limited
    assert sam.get("/api/v1/cases/").status_code == 200  # no search: not counted, not refused
    url = f"/api/v1/cases/{world.case.id}/records/export/"
    assert [sam.get(url).status_code for _ in range(3)] == [200, 200, 429]
    assert "many exports" in sam.get(url).json()["detail"]
    ivy = api_client(world.ivy.user)
    assert [ivy.get("/api/v1/audit/export/").status_code for _ in range(3)] == [200, 200, 429]


def test_the_default_rates_let_a_person_work(world):
    sam = page_client(world.sam.user)
    assert all(sam.get(f"/records/search/?q=x{i}").status_code == 200 for i in range(20))
