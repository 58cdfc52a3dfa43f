"""sharing's due items, registered with accountability (SharingConfig.ready): the
review of a safeguarding override, owed by its reviewer until an outcome is
recorded, whether or not the case is still open (DESIGN: reminded and escalated
like any other due item). Every scan first ends, and audits, overrides past
their 72 hours.

Floor 5.
"""

from __future__ import annotations

from django.db.models import QuerySet

from accountability.registry import DueSource
from sharing.models import SafeguardingAccess
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
