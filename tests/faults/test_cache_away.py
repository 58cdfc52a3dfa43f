"""The shared cache (Redis, also the broker) away: requests carry on without it."""

import pytest
from django.core.cache import cache

from tests.faults.servers import free_port


@pytest.fixture
def redis_cache_away(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "coordination.cache.FailOpenRedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    from coordination.cache import FailOpenRedisCache

    FailOpenRedisCache._away_until = 0.0
    yield
    FailOpenRedisCache._away_until = 0.0


def test_a_cache_whose_redis_is_away_answers_defaults_instead_of_raising(redis_cache_away):
    cache.set("k", 1)
    assert cache.get("k", "default") == "default"
    assert cache.add("k", 1) is False
    assert cache.get_many(["k"]) == {}


def test_the_throttled_token_endpoint_answers_while_the_cache_is_away(world, client, redis_cache_away):
    from agencies.accounts import recovery_codes_issue

    code = recovery_codes_issue(user=world.sam.user)[0]  # sam must send a second factor (REQUIRE_2FA)
    answer = client.post(
        "/api/v1/auth/token/",
        {"username": "sam", "password": world.password, "otp": code},
        content_type="application/json",
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["token"]
