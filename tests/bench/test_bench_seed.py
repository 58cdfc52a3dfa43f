"""The benchmark's bulk seeding writes a world the models and services would accept."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Count, Q

from agencies.models import Professional
from bench.seed import BENCH_PASSWORD, check_invariants, pick_viewer, seed_world
from cases import selectors as case_selectors
from cases import visibility
from cases.models import Case, CaseReferenceCounter, RoleAssignment
from plans.models import Milestone

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_world():
    return seed_world(n_cases=50, milestones_per_case=4, seed=7, prefix="t")


def test_seeded_world_has_the_requested_shape(small_world):
    assert small_world.counts["cases"] == Case.objects.count() == 50
    assert small_world.counts["milestones"] == Milestone.objects.count() == 200
    assert small_world.counts["professionals"] == Professional.objects.count()
    assert RoleAssignment.objects.filter(ended_on__isnull=True).count() > 50


def test_seeded_world_holds_every_invariant(small_world):
    assert check_invariants() == dict.fromkeys(check_invariants(), 0)


def test_every_case_has_one_active_lead_who_is_its_lead_professional(small_world):
    leads = Case.objects.annotate(
        active_leads=Count("assignments", filter=Q(assignments__role="lead_professional", assignments__ended_on=None))
    )
    assert {c.active_leads for c in leads} == {1}
    for case in Case.objects.all():
        assert (
            case.assignments.get(role="lead_professional", ended_on=None).professional_id == case.lead_professional_id
        )


def test_references_are_unique_and_counters_move_past_them(small_world):
    references = list(Case.objects.values_list("reference", flat=True))
    assert len(set(references)) == len(references)
    assert all(re.fullmatch(r"C-\d{4}-\d{5}", r) for r in references)
    for counter in CaseReferenceCounter.objects.all():
        used = [int(r.rsplit("-", 1)[1]) for r in references if r.startswith(f"C-{counter.year}-")]
        assert counter.last == max(used)


def test_milestones_are_accountable_to_someone_on_the_case_team(small_world):
    for m in Milestone.objects.all():
        assert RoleAssignment.objects.filter(case=m.case_id, professional=m.accountable_id, ended_on=None).exists()


def test_invariant_check_notices_a_milestone_accountable_off_the_team(small_world):
    milestone = Milestone.objects.first()
    outsider = Professional.objects.exclude(assignments__case=milestone.case_id).first()
    Milestone.objects.filter(pk=milestone.pk).update(accountable=outsider)
    assert check_invariants()["milestones_accountable_not_on_team"] == 1


def test_viewer_sees_exactly_their_cases_through_the_sharing_policy(small_world):
    viewer = pick_viewer(target_cases=3, target_open_milestones=5)
    professional = Professional.objects.get(pk=viewer.professional_id)
    visible = set(visibility.cases_visible_to(professional).values_list("pk", flat=True))
    assert set(viewer.case_ids) <= visible
    user = get_user_model().objects.get(pk=viewer.user_id)
    assert user.check_password(BENCH_PASSWORD)
    access = case_selectors.get_case_for(user=user, case_id=viewer.case_ids[0])
    assert "view" in access.perms
