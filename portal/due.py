"""The portal's due items, registered with accountability (PortalConfig.ready): a
message from the person (or a notice of a change they made to what they share) is owed
an answer by the case's lead professional within ANSWER_DAYS, reminded and escalated
like any other item until answered.

Floor 6.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from accountability.registry import DueSource, WorkItem, owed_rows, work_lines
from cases.models import CaseStatus
from portal.models import MessageKind, PortalMessage
from portal.services import PORTAL_MESSAGE


def owed_answers() -> QuerySet[PortalMessage]:
    return PortalMessage.objects.filter(answered_at__isnull=True, case__status=CaseStatus.OPEN).exclude(
        kind=MessageKind.REPLY
    )


_MESSAGE_ROWS = owed_rows(
    owed_answers, holder="to_professional", columns=("id", "answer_by", "case_id", "case__reference", "case__title")
)


def message_work(professional: Any) -> list[WorkItem]:
    """My work's lines: the messages from people I must answer."""
    today = timezone.localdate()
    rows = _MESSAGE_ROWS.rows(me=professional.pk)
    return work_lines(
        (row for row in rows if row[1] is not None),  # owed messages always have one (a check constraint)
        subject_type=PORTAL_MESSAGE,
        kind_label="Message",
        link="/cases/{case}/portal/#message-{id}",
        title="Answer the person's message",
        today=today,
    )


PORTAL_MESSAGES = DueSource(
    subject_type=PORTAL_MESSAGE,
    label="message from the person",
    owed=owed_answers,
    date_field="answer_by",
    accountable_field="to_professional",
    link="/cases/{case}/portal/#message-{id}",
    work_items=message_work,
    on_case_team=False,
)
