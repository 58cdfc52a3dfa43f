"""Clients for the hardening tests: signed in as someone of the shared `world`."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient


def page_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api_client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def api(world) -> APIClient:
    return api_client(world.sam.user)


@pytest.fixture
def page(world) -> Client:
    return page_client(world.sam.user)
