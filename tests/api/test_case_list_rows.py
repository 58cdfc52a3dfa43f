"""The case list renders plain rows (`case_selectors.case_list_rows` + `case_row_data`), not
model instances through `CaseSerializer`: every item must still be exactly what the
serializer gives for that case (the detail endpoint's shape), on PostgreSQL and on
the SQLite default of `make run`."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from cases import services as case_services
from cases.api.serializers import CaseSerializer
from cases.models import Case
from tests.reminders import procs

pytestmark = pytest.mark.django_db


def _serialized(case_id) -> dict:
    return json.loads(json.dumps(CaseSerializer(Case.objects.get(pk=case_id)).data))


def test_list_items_are_what_the_serializer_gives(scene, client_as):
    people = [
        case_services.person_register(given_name=name, family_name="Quinn", actor=scene.sam.user)
        for name in ("Ada", "Bo", "Cy")
    ]
    closed = case_services.case_open(title="Quinn family", people=people, lead=scene.sam, actor=scene.sam.user)
    case_services.case_close(case=closed, reason="Support no longer needed", actor=scene.sam.user)

    response = client_as("sam").get("/api/v1/cases/")

    assert response.status_code == 200
    items = response.json()["results"]
    assert [i["id"] for i in items] == [
        str(pk)
        for pk in Case.objects.filter(pk__in=[i["id"] for i in items])
        .order_by("-opened_at", "id")
        .values_list("pk", flat=True)
    ]
    assert {i["id"] for i in items} == {str(scene.case.pk), str(scene.case2.pk), str(closed.pk)}
    for item in items:
        assert item == _serialized(item["id"])
    quinn = next(i for i in items if i["id"] == str(closed.pk))
    assert quinn["people"] == sorted(str(p.pk) for p in people)
    assert quinn["status"] == "closed" and quinn["closed_at"] and quinn["closure_reason"] == "Support no longer needed"


SQLITE_CHECK = """
import json
from django.contrib.auth import get_user_model
from cases import selectors as case_selectors
from cases import services as case_services
from cases.api.serializers import CaseSerializer, case_row_data
from cases.models import Case
first = Case.objects.order_by("reference").first()
case_services.case_close(case=first, reason="Support no longer needed", actor=first.lead_professional.user)
checked = 0
for user in get_user_model().objects.filter(professional__isnull=False):
    for row in case_selectors.case_list_rows(user=user):
        got = json.loads(json.dumps(case_row_data(row)))
        want = json.loads(json.dumps(CaseSerializer(Case.objects.get(pk=row["id"])).data))
        assert got == want, (got, want)
        checked += 1
print("checked", checked, "closed", Case.objects.filter(status="closed").count())
"""


def test_list_items_are_what_the_serializer_gives_on_sqlite(tmp_path):
    environ = procs.env(f"sqlite:///{tmp_path / 'db.sqlite3'}", tmp_path)
    for command in (["migrate", "--no-input"], ["seed_demo"], ["shell", "-c", SQLITE_CHECK]):
        done = subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=procs.ROOT,
            env=environ,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stdout + done.stderr
    checked, closed = done.stdout.strip().splitlines()[-1].split()[1::2]
    assert int(checked) > 10 and int(closed) >= 1, done.stdout
