"""The meetings benchmark's set-up builds what it says (meetings x invitees, one opened meeting
through the services) and takes its background rows away again."""

import pytest
from django.db import connection

from bench.scenarios import Context
from bench.scenarios import meetings as scenario
from bench.seed import pick_viewer, seed_world
from meetings.models import Invitee, Meeting, MeetingStatus

pytestmark = pytest.mark.django_db


def test_setup_builds_meetings_with_eight_invitees_an_opened_meeting_and_cleans_up(monkeypatch):
    seed_world(n_cases=60, milestones_per_case=2, seed=13, prefix="m")
    monkeypatch.setattr(scenario, "MEETINGS", 20)
    ctx = Context(
        size=60, label="60", database_url="", viewer=pick_viewer(), duration=0, connections=0, threads=0, log=print
    )
    invitations = scenario._background(print)
    assert Meeting.objects.count() == 20
    assert 20 * 2 <= invitations == Invitee.objects.count() <= 20 * scenario.INVITEES
    meeting = scenario._measured_meeting(ctx, print)
    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.OPEN
    assert meeting.views.count() == meeting.invitees.count() == scenario.INVITEES
    assert meeting.chair_id == ctx.viewer.professional_id
    if connection.vendor == "postgresql":
        scan = scenario._scan_vs_raw(print)
        assert scan["rows"] == Invitee.objects.filter(meeting__location="Bench room").count()
        assert scan["reminders"] > 0
    scenario._cleanup(list(Meeting.objects.filter(location="Bench room").values_list("id", flat=True)))
    assert list(Meeting.objects.values_list("id", flat=True)) == [meeting.id]
