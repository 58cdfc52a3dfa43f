"""The portal's due items, registered with accountability (PortalConfig.ready): a
message from the person (or a notice of a change they made to what they share) is owed
an answer by the case's lead professional within ANSWER_DAYS, reminded and escalated
like any other item until answered.

Floor 6.
"""

from __future__ import annotations

from django.db.models import QuerySet

from accountability.registry import DueSource
from cases.models import CaseStatus
from portal.models import MessageKind, PortalMessage
from portal.services import PORTAL_MESSAGE


def owed_answers() -> QuerySet[PortalMessage]:
    return PortalMessage.objects.filter(answered_at__isnull=True, case__status=CaseStatus.OPEN).exclude(
        kind=MessageKind.REPLY
    )


PORTAL_MESSAGES = DueSource(
    subject_type=PORTAL_MESSAGE,
    label="message from the person",
    owed=owed_answers,
    date_field="answer_by",
    accountable_field="to_professional",
    link="/cases/{case}/portal/#message-{id}",
    on_case_team=False,
)
