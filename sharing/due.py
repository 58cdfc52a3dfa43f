"""sharing's due items, registered with accountability (SharingConfig.ready): the
review of a safeguarding override, owed by its reviewer until an outcome is
recorded, whether or not the case is still open (DESIGN: reminded and escalated
like any other due item); and a person's request for a copy of their records, owed
by an information-governance lead within one calendar month. Every scan first ends, and audits, overrides past
their 72 hours.

Floor 5.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from accountability.registry import DueSource, WorkItem, owed_rows, work_lines
from sharing.models import SafeguardingAccess, SubjectAccessRequest, SubjectAccessStatus
from sharing.services import safeguarding_access_expire_due

OVERRIDE_REVIEW = "override_review"


def owed_override_reviews() -> QuerySet[SafeguardingAccess]:
    return SafeguardingAccess.objects.filter(outcome="", reviewer__isnull=False)


def _end_expired_overrides() -> None:
    safeguarding_access_expire_due()


OVERRIDE_REVIEWS = DueSource(
    subject_type=OVERRIDE_REVIEW,
    label="override review",
    owed=owed_override_reviews,
    date_field="review_due",
    accountable_field="reviewer",
    link="/governance/reviews/{id}/",
    before_scan=_end_expired_overrides,
    on_case_team=False,
)


SUBJECT_ACCESS_REQUEST = "subject_access_request"


def owed_subject_access_requests() -> QuerySet[SubjectAccessRequest]:
    """Owed by the information-governance lead until the copy is sent, whether or not
    the case is still open."""
    return SubjectAccessRequest.objects.filter(status=SubjectAccessStatus.RECEIVED)


_REQUEST_ROWS = owed_rows(
    owed_subject_access_requests,
    holder="accountable",
    columns=("id", "due_date", "case_id", "case__reference", "case__title"),
)


def subject_access_work(professional: Any) -> list[WorkItem]:
    """My work's lines: the requests for a copy of records I must answer."""
    today = timezone.localdate()
    rows = _REQUEST_ROWS.rows(me=professional.pk)
    return work_lines(
        rows,
        subject_type=SUBJECT_ACCESS_REQUEST,
        kind_label="Copy of records",
        link="/governance/subject-access/{id}/",
        title="Send the person a copy of their records",
        today=today,
    )


SUBJECT_ACCESS_REQUESTS = DueSource(
    subject_type=SUBJECT_ACCESS_REQUEST,
    label="request for a copy of records",
    owed=owed_subject_access_requests,
    date_field="due_date",
    accountable_field="accountable",
    link="/governance/subject-access/{id}/",
    work_items=subject_access_work,
    on_case_team=False,
)
