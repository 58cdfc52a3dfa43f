"""Kinds of notice are registered by the apps that tell them (decision 0086): accountability
words only its own (the scan's reminders and the generic item notices); cases, meetings and portal
register theirs in their AppConfig.ready(), as they register their due sources. A kind whose app is
gone still shows, in generic words, never an error."""

import datetime
import pathlib
import re

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

import accountability
from accountability import registry
from accountability.models import Notification, Reminder
from accountability.registry import NoticeKind
from accountability.services import digest_email_content, notice_queue, notices_deliver, reminder_email_content

pytestmark = pytest.mark.django_db

HIGHER_FLOORS_WORDS = re.compile(r"meeting|added_to_team|invited|message from the person", re.IGNORECASE)


def test_accountability_names_none_of_the_kinds_the_higher_floors_tell():
    root = pathlib.Path(accountability.__file__).parent
    named = {
        f"{path.relative_to(root)}:{number}: {line.strip()}"
        for path in root.rglob("*.py")
        if "migrations" not in path.parts
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if HIGHER_FLOORS_WORDS.search(line)
    }
    assert named == set()


def test_the_kinds_the_higher_floors_tell_are_registered_by_their_apps():
    for code in ("added_to_team", "invited", "message", "meeting_changed", "meeting_cancelled"):
        assert registry.notice_kind(code) is not None, code


NUDGE = NoticeKind(
    code="test_nudge",
    label="Nudged by a test",
    phrase="has been nudged by a test",
    email=lambda reference, due_date, item: (
        f"JoinedUp: case {reference} was nudged",
        f"Case {reference} was nudged, for {due_date:%d %B %Y}.",
    ),
    ends=True,
    what=lambda reference: f"Case {reference}",
)


@pytest.fixture
def nudge(monkeypatch):
    monkeypatch.setattr(registry, "_notice_kinds", dict(registry._notice_kinds))
    registry.register_notice_kind(NUDGE)
    return NUDGE


def _queue(world, kind: str) -> None:
    with transaction.atomic():
        notice_queue(
            kind=kind,
            subject_type="case",
            subject_id=world.case.id,
            recipient=world.nia.id,
            due_date=datetime.date(2027, 3, 4),
            case=world.case.id,
            case_reference=world.case.reference,
            link=f"/cases/{world.case.id}/",
        )


def test_a_kind_registered_by_another_app_is_worded_as_it_registered(world, nudge, client, mailoutbox):
    _queue(world, "test_nudge")
    notices_deliver()
    assert Notification.objects.filter(recipient=world.nia.id, kind="test_nudge").count() == 1
    (mail,) = mailoutbox
    ref = world.case.reference
    assert mail.subject == f"JoinedUp: case {ref} was nudged"
    assert mail.body.startswith(f"Case {ref} was nudged, for 04 March 2027.\n\n")
    client.force_login(world.nia.user)
    body = client.get(reverse("accountability:notification_list")).content.decode()
    assert f"Case {ref} has been nudged by a test" in body and "Nudged by a test" in body


def test_a_kind_registered_in_app_only_is_not_emailed(world, monkeypatch, mailoutbox):
    monkeypatch.setattr(registry, "_notice_kinds", dict(registry._notice_kinds))
    registry.register_notice_kind(NoticeKind(code="test_quiet", label="Quiet", phrase="is quiet", in_app_only=True))
    _queue(world, "test_quiet")
    notices_deliver()
    assert Notification.objects.filter(recipient=world.nia.id, kind="test_quiet").count() == 1
    assert mailoutbox == []


def test_a_kind_nobody_registered_is_refused_when_queued(world):
    with pytest.raises(ValueError):
        _queue(world, "never_registered")


def test_a_row_whose_kind_is_no_longer_registered_still_shows_in_generic_words(world, client):
    ref = world.case.reference
    common = {
        "subject_type": "gone_thing",
        "subject_id": world.case.id,
        "recipient": world.nia.id,
        "accountable": world.nia.id,
        "due_date": timezone.localdate(),
        "case": world.case.id,
        "case_reference": ref,
        "link": "/",
    }
    Notification.objects.create(kind="gone_kind", **common)
    client.force_login(world.nia.user)
    response = client.get(reverse("accountability:notification_list"))
    assert response.status_code == 200
    assert "Gone thing needs attention" in response.content.decode()
    subject, body = reminder_email_content(Reminder(kind="gone_kind", **common))
    assert ref in subject and "needs attention" in body
    _, digest = digest_email_content(
        [Reminder(kind="gone_kind", **common), Reminder(kind="overdue", **common)], day=timezone.localdate()
    )
    assert digest.index("is overdue") < digest.index("needs attention")  # the kind nobody registers comes last
