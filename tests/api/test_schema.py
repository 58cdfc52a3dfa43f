"""The OpenAPI schema and the browsable docs: generated without errors, naming the
contract's paths, and the docs page loads nothing from outside the app."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

CONTRACT_PATHS = {
    "/api/v1/auth/token/": {"post"},
    "/api/v1/me/": {"get"},
    "/api/v1/agencies/": {"get", "post"},
    "/api/v1/agencies/{agency_id}/": {"get", "patch"},
    "/api/v1/teams/": {"get", "post"},
    "/api/v1/teams/{team_id}/": {"get", "patch"},
    "/api/v1/professionals/": {"get", "post"},
    "/api/v1/professionals/{professional_id}/": {"get", "patch"},
    "/api/v1/people/": {"get", "post"},
    "/api/v1/people/{person_id}/": {"get", "patch"},
    "/api/v1/people/{person_id}/portal-account/": {"post"},
    "/api/v1/cases/": {"get", "post"},
    "/api/v1/cases/{case_id}/": {"get", "patch"},
    "/api/v1/cases/{case_id}/assignments/": {"get", "post"},
    "/api/v1/cases/{case_id}/goals/": {"get", "post"},
    "/api/v1/cases/{case_id}/milestones/": {"get", "post"},
    "/api/v1/cases/{case_id}/reviews/": {"get", "post"},
    "/api/v1/milestones/{milestone_id}/": {"get", "patch"},
    "/api/v1/milestones/{milestone_id}/complete/": {"post"},
}


def _schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def test_schema_is_valid_openapi_and_names_every_contract_path():
    schema = _schema()
    validate_schema(schema)
    for path, methods in CONTRACT_PATHS.items():
        assert path in schema["paths"], path
        assert methods <= set(schema["paths"][path]), path


def test_schema_command_generates_without_errors_or_warnings(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    assert "/api/v1/cases/{case_id}/milestones/" in out.read_text()


def test_goal_request_requires_every_smart_field():
    components = _schema()["components"]["schemas"]
    assert set(components["GoalCreateRequest"]["required"]) == {
        "description",
        "measure",
        "target_date",
        "plain_summary",
    }


def test_schema_endpoint_answers_without_signing_in():
    response = APIClient().get("/api/v1/schema/")
    assert response.status_code == 200


def test_docs_page_loads_its_assets_from_this_app_only():
    response = APIClient().get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r'(?:src|href)\s*=\s*["\']([^"\']+)["\']', html)
    assert sources, "the page loads Swagger UI from somewhere"
    assert all(not re.match(r"^(https?:)?//", src) for src in sources), sources
    assert "swagger-ui" in html
    # No asset host named anywhere in the page's URLs (the page's random CSRF token may spell anything).
    urls = sources + re.findall(r"""["'](https?://[^"']+)["']""", html)
    assert not any("cdn" in url.lower() for url in urls), urls


def test_path_ids_are_documented_as_uuids():
    parameters = _schema()["paths"]["/api/v1/milestones/{milestone_id}/"]["get"]["parameters"]
    (milestone_id,) = [p for p in parameters if p["in"] == "path"]
    assert milestone_id["schema"] == {"type": "string", "format": "uuid"}
