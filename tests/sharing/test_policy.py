"""Unit tests of the record policy in cases/sharing.py: the order of the bases,
consent rules (dates, withdrawal, refusal, agency, category, every person),
overrides (active, expired, ended, other category or case) and case visibility."""

import datetime

import pytest
from django.utils import timezone

from agencies import services as agency_services
from cases import services as case_services
from cases import visibility
from plans import services as plan_services
from sharing import policy
from sharing import services as sharing_services
from tests.sharing.conftest import consent, days, override, write


def visible(professional, case):
    return dict(policy.records_visible_to(professional, case=case).values_list("id", "basis"))


def test_own_agency_record_is_visible_with_own_agency_basis(sw):
    assert visible(sw.w.nia, sw.w.case)[sw.health.id] == "own_agency"


def test_general_record_of_another_agency_is_visible_as_coordination(sw):
    assert visible(sw.w.nia, sw.w.case)[sw.general.id] == "coordination"


def test_other_agency_record_without_consent_is_hidden(sw):
    assert sw.social.id not in visible(sw.w.nia, sw.w.case)
    assert sw.health.id not in visible(sw.w.sam, sw.w.case)


def test_own_agency_takes_precedence_over_coordination(sw):
    assert visible(sw.w.sam, sw.w.case)[sw.general.id] == "own_agency"


def test_active_consent_shares_category_with_that_agency(sw):
    consent(sw.w, sw.w.maya, "social_care", sw.w.health)
    assert visible(sw.w.nia, sw.w.case)[sw.social.id] == "consent"


def test_open_ended_consent_starting_today_counts(sw):
    consent(sw.w, sw.w.maya, "social_care", sw.w.health, valid_from=days(0))
    assert sw.social.id in visible(sw.w.nia, sw.w.case)


def test_consent_valid_until_today_still_counts(sw):
    consent(sw.w, sw.w.maya, "social_care", sw.w.health, valid_from=days(-10), valid_until=days(0))
    assert sw.social.id in visible(sw.w.nia, sw.w.case)


def test_expired_consent_hides_record(sw):
    consent(sw.w, sw.w.maya, "social_care", sw.w.health, valid_from=days(-10), valid_until=days(-1))
    assert sw.social.id not in visible(sw.w.nia, sw.w.case)


def test_consent_not_yet_in_force_hides_record(sw):
    consent(sw.w, sw.w.maya, "social_care", sw.w.health, valid_from=days(1))
    assert sw.social.id not in visible(sw.w.nia, sw.w.case)


def test_consent_expires_when_the_clock_passes_valid_until(sw):
    consent(sw.w, sw.w.maya, "social_care", sw.w.health, valid_until=days(2))
    later = policy.Moment.at(now=timezone.now() + datetime.timedelta(days=3))
    assert sw.social.id in visible(sw.w.nia, sw.w.case)
    assert sw.social.id not in dict(
        policy.records_visible_to(sw.w.nia, case=sw.w.case, moment=later).values_list("id", "basis")
    )


def test_withdrawn_consent_hides_record_at_once(sw):
    c = consent(sw.w, sw.w.maya, "social_care", sw.w.health)
    assert sw.social.id in visible(sw.w.nia, sw.w.case)
    sharing_services.consent_withdraw(consent=c, actor=sw.w.sam.user)
    assert sw.social.id not in visible(sw.w.nia, sw.w.case)


def test_refused_consent_does_not_share(sw):
    consent(sw.w, sw.w.maya, "social_care", sw.w.health, decision="refused")
    assert sw.social.id not in visible(sw.w.nia, sw.w.case)


def test_consent_for_another_agency_does_not_share(sw, admin_user):
    police = agency_services.agency_create(name="Northvale Police", kind="police", actor=admin_user)
    consent(sw.w, sw.w.maya, "social_care", police)
    assert sw.social.id not in visible(sw.w.nia, sw.w.case)


def test_consent_for_another_category_does_not_share(sw):
    consent(sw.w, sw.w.maya, "housing", sw.w.health)
    assert sw.social.id not in visible(sw.w.nia, sw.w.case)


@pytest.fixture
def sibling(world):
    ben = case_services.person_register(given_name="Ben", family_name="Okafor", actor=world.sam.user)
    world.case.people.add(ben)
    return ben


def test_record_about_two_people_needs_consent_from_both(sw, sibling):
    both = write(sw.w, sw.w.sam, "social_care", about=[sw.w.maya, sibling])
    consent(sw.w, sw.w.maya, "social_care", sw.w.health)
    assert both.id not in visible(sw.w.nia, sw.w.case)
    consent(sw.w, sibling, "social_care", sw.w.health)
    assert visible(sw.w.nia, sw.w.case)[both.id] == "consent"


def test_record_about_one_person_needs_only_their_consent(sw, sibling):
    ben_only = write(sw.w, sw.w.sam, "social_care", about=[sibling])
    consent(sw.w, sibling, "social_care", sw.w.health)
    assert sw.social.id not in visible(sw.w.nia, sw.w.case)
    assert ben_only.id in visible(sw.w.nia, sw.w.case)


def test_active_override_shows_category_on_that_case(sw):
    override(sw.w, sw.w.nia, "social_care")
    assert visible(sw.w.nia, sw.w.case)[sw.social.id] == "override"


def test_consent_takes_precedence_over_override(sw):
    override(sw.w, sw.w.nia, "social_care")
    consent(sw.w, sw.w.maya, "social_care", sw.w.health)
    assert visible(sw.w.nia, sw.w.case)[sw.social.id] == "consent"


def test_override_expires_after_72_hours(sw):
    override(sw.w, sw.w.nia, "social_care")
    just_before = policy.Moment.at(now=timezone.now() + datetime.timedelta(hours=71, minutes=59))
    after = policy.Moment.at(now=timezone.now() + datetime.timedelta(hours=72, seconds=1))
    qs = lambda m: set(policy.records_visible_to(sw.w.nia, case=sw.w.case, moment=m).values_list("id", flat=True))  # noqa: E731
    assert sw.social.id in qs(just_before)
    assert sw.social.id not in qs(after)


def test_override_ended_early_no_longer_counts(sw):
    access = override(sw.w, sw.w.nia, "social_care")
    sharing_services.safeguarding_access_end(access=access, actor=sw.w.nia.user)
    assert sw.social.id not in visible(sw.w.nia, sw.w.case)


def test_override_covers_only_its_category(sw):
    override(sw.w, sw.w.nia, "housing")
    assert sw.social.id not in visible(sw.w.nia, sw.w.case)


def test_override_covers_only_its_case(sw):
    other = case_services.case_open(title="Another family", people=[sw.w.maya], lead=sw.w.sam, actor=sw.w.sam.user)
    case_services.assignment_add(case=other, professional=sw.w.nia, role="contributor", actor=sw.w.sam.user)
    override(sw.w, sw.w.nia, "social_care", case=other)
    assert sw.social.id not in visible(sw.w.nia, sw.w.case)


def test_override_is_personal_to_its_holder(sw):
    override(sw.w, sw.w.nia, "social_care")
    assert sw.social.id not in visible(sw.w.hal, sw.w.case)


def test_professional_not_on_the_case_sees_no_record_even_with_consent(sw):
    consent(sw.w, sw.w.maya, "health", sw.w.social)
    assert visible(sw.w.oz, sw.w.case) == {}
    assert policy.record_basis(sw.w.oz, sw.health.id) is None


def test_team_lead_of_a_member_sees_records_through_the_policy(sw):
    assert visible(sw.w.hal, sw.w.case) == {sw.health.id: "own_agency", sw.general.id: "coordination"}


def test_ending_the_role_hides_every_record(sw):
    plan_services.milestone_handover(milestone=sw.w.milestone, to=sw.w.sam, actor=sw.w.sam.user)
    assignment = sw.w.case.assignments.get(professional=sw.w.nia, ended_on__isnull=True)
    case_services.assignment_end(assignment=assignment, actor=sw.w.sam.user)
    assert visible(sw.w.nia, sw.w.case) == {}


def test_record_basis_agrees_with_the_list(sw):
    consent(sw.w, sw.w.maya, "social_care", sw.w.health)
    listed = visible(sw.w.nia, sw.w.case)
    for record in (sw.health, sw.social, sw.general):
        assert policy.record_basis(sw.w.nia, record.id) == listed.get(record.id)


def test_no_professional_sees_nothing(sw):
    assert policy.record_basis(None, sw.general.id) is None
    assert not policy.records_visible_to(None).exists()


def test_list_is_one_query_whatever_the_policy_needs(sw, django_assert_num_queries):
    consent(sw.w, sw.w.maya, "social_care", sw.w.health)
    override(sw.w, sw.w.nia, "housing")
    with django_assert_num_queries(1):
        list(policy.records_visible_to(sw.w.nia, case=sw.w.case))


def test_policy_works_inside_a_subquery(sw):
    """The hand-written CASE follows the outer table's alias when Django re-aliases it."""
    from sharing.models import Record

    consent(sw.w, sw.w.maya, "social_care", sw.w.health)
    inner = policy.records_visible_to(sw.w.nia, case=sw.w.case).values("pk")
    assert set(Record.objects.filter(pk__in=inner).values_list("pk", flat=True)) == {
        sw.health.id,
        sw.social.id,
        sw.general.id,
    }
    corrected = write(sw.w, sw.w.sam, "social_care")
    # Join back to the record table under another alias: records whose correction nia may see.
    from sharing.models import Record as R

    sharing_services.record_write(case=sw.w.case, category=None, text="Fixed", corrects=corrected, actor=sw.w.sam.user)
    seen = R.objects.filter(corrections__in=policy.records_visible_to(sw.w.nia, case=sw.w.case).values("pk"))
    assert list(seen.values_list("pk", flat=True)) == [corrected.id]


def test_a_case_checked_for_one_professional_is_no_pass_for_another(sw):
    """A Case fetched through the gate (`case_with_access`) spares the list a second
    visibility check, but only for the professional it was checked for."""
    checked = visibility.case_with_access(sw.w.sam, sw.w.case.id)
    assert checked is not None
    assert visible(sw.w.sam, checked) == visible(sw.w.sam, sw.w.case) != {}
    assert visible(sw.w.oz, checked) == {}
    assert visibility.case_with_access(sw.w.oz, sw.w.case.id) is None


def test_a_case_checked_at_the_gate_lists_the_same_records_as_one_that_was_not(sw):
    consent(sw.w, sw.w.maya, "social_care", sw.w.health)
    override(sw.w, sw.w.nia, "housing")
    write(sw.w, sw.w.sam, "housing")
    checked = visibility.case_with_access(sw.w.nia, sw.w.case.id)
    assert visible(sw.w.nia, checked) == visible(sw.w.nia, sw.w.case)
    across = policy.records_visible_to(sw.w.nia).filter(case_id=sw.w.case.id)
    assert dict(across.values_list("id", "basis")) == visible(sw.w.nia, sw.w.case)
    assert set(visible(sw.w.nia, checked).values()) == {"own_agency", "coordination", "consent", "override"}


def test_visible_case_count_counts_what_the_case_list_holds(sw):
    """The case-list API counts from the assignment index alone; it must agree with the list."""
    from agencies.models import Professional

    for professional in Professional.objects.all():
        assert visibility.visible_case_count(professional) == visibility.cases_visible_to(professional).count()
    assert visibility.visible_case_count(sw.w.hal) == 1  # through the team he leads
    assert visibility.visible_case_count(sw.w.sue) == 1  # on the team and leading a member: counted once
    assert visibility.visible_case_count(sw.w.oz) == 0
    assert visibility.visible_case_count(None) == 0
