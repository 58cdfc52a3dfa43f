"""The sharing-policy benchmark commits its extra rows (so it can VACUUM before measuring),
so it must take them all away again, and clean up after a run that was interrupted."""

import pytest

from agencies.models import Professional
from bench.scenarios import Context, sharing_policy
from bench.seed import pick_viewer, seed_world
from cases.models import RoleAssignment
from sharing.models import Consent, Record

pytestmark = pytest.mark.django_db(transaction=True)


def _counts() -> dict[str, int]:
    return {
        "records": Record.objects.count(),
        "links": Record.about.through.objects.count(),
        "consents": Consent.objects.count(),
        "assignments": RoleAssignment.objects.count(),
    }


def test_setup_rows_are_taken_away_again_even_after_an_interrupted_run(tmp_path, monkeypatch):
    seed_world(n_cases=50, milestones_per_case=2, seed=11, prefix="s")
    monkeypatch.setattr(sharing_policy, "LEFTOVERS", tmp_path / "rows.json")
    ctx = Context(
        size=50, label="50", database_url="", viewer=pick_viewer(), duration=0, connections=0, threads=0, log=print
    )
    before = _counts()

    made = sharing_policy._setup_committed(ctx)
    during = _counts()
    assert during["records"] == before["records"] + sharing_policy.RECORDS
    assert during["consents"] == before["consents"] + sharing_policy.CONSENTS
    assert during["assignments"] == before["assignments"] + made["caseload"] > before["assignments"]
    assert sharing_policy.LEFTOVERS.exists()
    busy = Professional.objects.get(pk=made["busy"].pk)
    assert RoleAssignment.objects.filter(professional=busy, ended_on__isnull=True).count() >= made["caseload"]

    # The run is "killed" here: no teardown. The next run cleans up first, so the world
    # never holds two sets of benchmark rows.
    again = sharing_policy._setup_committed(ctx)
    assert _counts() == during

    sharing_policy._teardown(again["ids"])
    assert _counts() == before
    assert not sharing_policy.LEFTOVERS.exists()
