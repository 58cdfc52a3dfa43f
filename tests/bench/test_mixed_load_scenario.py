"""The mixed-load scenarios' world: each simulated professional acts on their own cases and
milestones (no two users complete or hand over the same milestone, so a 4xx means the app
refused, not the bench colliding with itself), records are added once, and the end-of-run
checks fail when a notice is left undelivered or an e-mail is written twice."""

import pytest
from django.db import connection

from bench.scenarios import Section
from bench.scenarios import mixed_load as ml
from bench.seed import seed_world
from cases.models import RoleAssignment
from plans.models import ItemStatus, Milestone
from sharing.models import Record

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("the benchmark's world queries are PostgreSQL's (the benchmark needs PostgreSQL)")


def test_each_simulated_professional_gets_their_own_cases_and_milestones(postgres_only):
    seed_world(n_cases=200, milestones_per_case=10, seed=5, prefix="m")
    actors = ml._pick_professionals(5)
    ml._load_work(actors)
    assert len({a.professional_id for a in actors}) == 5
    taken = [m for a in actors for m in a.milestones] + [m for a in actors for m, _ in a.handovers]
    assert len(taken) == len(set(taken))  # no milestone in two users' hands
    for a in actors:
        assert a.cases and a.writable and set(a.writable) <= set(a.cases)
        mine = Milestone.objects.filter(pk__in=a.milestones + [m for m, _ in a.handovers])
        assert {str(m.accountable_id) for m in mine} == {a.professional_id}
        assert all(m.status == ItemStatus.OPEN for m in mine)
        for milestone, to in a.handovers:
            case = Milestone.objects.get(pk=milestone).case_id
            assert to != a.professional_id
            assert RoleAssignment.objects.filter(case_id=case, professional_id=to, ended_on=None).exists()

    added = ml._seed_records(actors)
    cases = {c for a in actors for c in a.cases}
    assert added == ml.RECORDS_PER_CASE * len(cases)
    assert ml._seed_records(actors) == 0  # once: a rerun with --reuse adds none
    assert Record.about.through.objects.filter(record__case_id__in=cases).exists()


def _outbox(undelivered: int = 0, notifications: int = 3, emailed_rows: int = 3) -> dict:
    row = {"created": 3, "delivered": 3 - undelivered, "cancelled": 0, "undelivered": undelivered}
    row |= {"notifications": notifications - undelivered, "delivered_after_phase": 3, "emailed": 3}
    row |= {"email_unfinished": 0}
    return {"during the run": {"handover": row}, "emails_marked_sent": emailed_rows, "rows": 3}


@pytest.mark.parametrize(
    ("outbox", "emails_written", "passes"),
    [
        (_outbox(), 3, True),
        (_outbox(undelivered=1), 3, False),  # a notice left in the outbox
        (_outbox(notifications=2), 3, False),  # a row marked delivered without its notification
        (_outbox(), 4, False),  # an e-mail written twice
    ],
)
def test_the_delivery_checks_fail_on_a_lost_notice_or_a_second_email(outbox, emails_written, passes):
    section = Section(title="t")
    ml._delivery_checks(section, outbox, emails_written, outage=False)
    assert all(c.passed for c in section.checks) is passes
