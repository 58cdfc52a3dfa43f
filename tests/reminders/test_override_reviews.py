"""A safeguarding override's review is reminded to the agency's IG lead until an outcome is recorded."""

import datetime

from accountability.models import Notification
from sharing import services as sharing_services
from tests.reminders.conftest import kinds_for, run_scan

D = datetime.timedelta


def _take_override(world):
    return sharing_services.safeguarding_access_take(
        case=world.case,
        category="social_care",
        lawful_basis="child_at_risk",
        justification="Bruising reported by school today; need the social care history now.",
        actor=world.nia.user,
    )


def test_unreviewed_override_reminds_the_information_governance_lead(world):
    access = _take_override(world)
    assert access.reviewer == world.ivy
    run_scan(access.review_due)
    assert kinds_for(world.ivy) == [("due_today", "override_review", access.review_due)]
    note = Notification.objects.get(recipient=world.ivy.id)
    assert note.link == f"/governance/reviews/{access.id}/"


def test_overdue_override_review_escalates_to_the_reviewers_team_lead(world):
    access = _take_override(world)
    run_scan(access.review_due + D(days=3))
    # ivy works in the health visiting team, led by hal.
    assert kinds_for(world.hal) == [("escalation", "override_review", access.review_due)]


def test_reviewed_override_stops_reminding(world):
    access = _take_override(world)
    sharing_services.safeguarding_review_record(
        access=access, outcome="justified", person_may_be_told=False, notes="", actor=world.ivy.user
    )
    run_scan(access.review_due)
    assert kinds_for(world.ivy) == []
