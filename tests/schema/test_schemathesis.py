"""The API against its own schema (issue 10, docs/decisions/0039): Schemathesis generates requests
from `/api/v1/schema/` for every operation and sends them, signed in as a professional on a case
with data, to the WSGI application in-process; every answer must be no server error and must
match the schema: a documented status, content type, headers and body.

Bounded: a few examples per operation with a fixed seed (derandomized), so `make test` runs it in a
few minutes (docs/decisions/0039) and a failure repeats."""

from __future__ import annotations

import hypothesis
import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    missing_required_header,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from coordination.wsgi import application
from tests.api.conftest import token_client
from tests.sharing.conftest import consent, override, write

pytestmark = pytest.mark.schema

schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", application)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    ignored_auth,
    unsupported_method,
    missing_required_header,
]
MAX_EXAMPLES = 10


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """The WSGI handler closes a connection in a transaction when each request finishes (the
    test's own, on PostgreSQL); Django's test client disconnects that too, while it calls."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def professional_token(world) -> str:
    """sam's API token, made the one way the tests make tokens (tests/api/conftest.py)."""
    client = token_client(world.sam.user)
    return client._credentials["HTTP_AUTHORIZATION"].split(" ", 1)[1]


@pytest.fixture
def real_ids(world) -> dict[str, str]:
    """Ids of real rows sam may see, so that the examples reach past the 404 of a random id."""
    record = write(world, world.sam, "general")
    given = consent(world, world.maya, "health", world.health)
    access = override(world, world.sam, "health")
    return {
        "case_id": str(world.case.id),
        "person_id": str(world.maya.id),
        "record_id": str(record.id),
        "milestone_id": str(world.milestone.id),
        "goal_id": str(world.goal.id),
        "review_id": str(world.review.id),
        "consent_id": str(given.id),
        "access_id": str(access.id),
        "agency_id": str(world.social.id),
        "team_id": str(world.steam.id),
        "professional_id": str(world.sam.id),
    }


_examples: dict[str, int] = {}


def _with_real_ids(case, ids: dict[str, str]) -> None:
    """Every other example of an operation with ids in its path uses real ones (the others keep
    the generated ids, which must answer 404)."""
    label = f"{case.method} {case.path}"
    _examples[label] = _examples.get(label, 0) + 1
    if case.path_parameters and _examples[label] % 2:
        case.path_parameters = {k: ids.get(k, v) for k, v in case.path_parameters.items()}


@schema.parametrize()
@hypothesis.settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(hypothesis.HealthCheck),
)
def test_every_operation_answers_as_its_schema_says(case, professional_token, real_ids):
    _with_real_ids(case, real_ids)
    case.call_and_validate(headers={"Authorization": f"Token {professional_token}"}, checks=CHECKS)
