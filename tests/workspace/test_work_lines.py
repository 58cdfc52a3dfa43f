"""My work's lines of the registered kinds of work share one builder
(accountability.registry.work_lines): the words, the link and the due tag of each line."""

import datetime
import uuid

import pytest

from accountability import registry
from accountability.registry import work_lines
from portal import selectors as portal_selectors
from portal import services as portal_services

TODAY = datetime.date(2026, 3, 2)


def test_a_line_is_tagged_overdue_due_soon_within_a_week_or_later():
    case = uuid.uuid4()
    rows = [(uuid.uuid4(), TODAY + datetime.timedelta(days=d), case, "C-2026-00001", "Okafor") for d in (-1, 0, 7, 8)]
    lines = work_lines(
        rows, subject_type="x", kind_label="Thing", link="/cases/{case}/x/{id}/", title="Do it", today=TODAY
    )
    assert [line.tag for line in lines] == ["overdue", "due_soon", "due_soon", "later"]
    assert lines[0].link == f"/cases/{case}/x/{rows[0][0]}/" and lines[0].title == "Do it"
    assert (lines[0].case_reference, lines[0].case_title, lines[0].kind_label) == ("C-2026-00001", "Okafor", "Thing")


def test_a_titles_words_may_come_from_the_rows_extra_values():
    row = (uuid.uuid4(), TODAY, uuid.uuid4(), "C-2026-00002", "Reid", "core group")
    [line] = work_lines(
        [row], subject_type="x", kind_label="Meeting", link="/m/{id}/", title=lambda k: f"Schedule the {k}", today=TODAY
    )
    assert line.title == "Schedule the core group"


@pytest.mark.django_db
def test_a_message_from_the_person_is_on_the_lead_professionals_my_work(world, client):
    subject = portal_selectors.portal_subject_for(user=world.maya.user)
    message = portal_services.message_send(
        subject=subject, case=world.case, text="When is the next visit?", actor=world.maya.user
    )
    [line] = [i for i in registry.work_items_for(world.sam) if i.subject_type == "portal_message"]
    assert (line.title, line.link) == (
        "Answer the person's message",
        f"/cases/{world.case.id}/portal/#message-{message.id}",
    )
    client.force_login(world.sam.user)
    page = client.get("/").content.decode()
    assert "Answer the person&#x27;s message" in page or "Answer the person's message" in page
