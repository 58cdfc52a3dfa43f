"""The person's "who has looked at my information": every read of their details and
records by a professional, newest first, by agency, role and reason, never the reader's
name; reads under a safeguarding override only once the reviewer says they may be told;
the person's own look at it audited and not listed."""

from audit.models import AuditEvent
from sharing import selectors
from sharing.services import safeguarding_review_record
from tests.sharing.conftest import override


def test_the_person_sees_who_read_their_records_by_agency_role_and_reason_without_names(sw):
    w = sw.w
    selectors.record_get_for(user=w.sam.user, record_id=sw.social.pk)
    selectors.record_get_for(user=w.nia.user, record_id=sw.general.pk)
    entries = selectors.access_log_entries_for(user=w.maya.user, person=w.maya)
    assert [(e.agency, e.role) for e in entries[:2]] == [
        (w.health.name, "Contributor"),
        (w.social.name, "Lead professional"),
    ]
    assert entries[0].reason.startswith("It is part of your shared plan")
    assert entries[1].reason == "Their agency wrote it."
    assert entries[0].at >= entries[1].at
    for e in entries:
        assert "Nia" not in f"{e}" and "Sam" not in f"{e}"
    viewed = AuditEvent.objects.get(action=selectors.ACCESS_LOG_VIEWED)
    assert (viewed.person, viewed.actor, viewed.basis) == (w.maya.pk, None, "self")
    again = selectors.access_log_entries_for(user=w.maya.user, person=w.maya)
    assert len(again) == len(entries)  # the person's own look is not a professional's read


def test_reads_under_an_override_appear_only_once_the_reviewer_says_the_person_may_be_told(sw):
    w = sw.w
    access = override(w, w.sam, "health")
    selectors.record_get_for(user=w.sam.user, record_id=sw.health.pk)
    reasons = [e.reason for e in selectors.access_log_entries_for(user=w.maya.user, person=w.maya)]
    assert selectors.ACCESS_LOG_REASONS["override"] not in reasons
    reviewer = access.reviewer
    safeguarding_review_record(access=access, outcome="justified", person_may_be_told=True, actor=reviewer.user)
    reasons = [e.reason for e in selectors.access_log_entries_for(user=w.maya.user, person=w.maya)]
    assert selectors.ACCESS_LOG_REASONS["override"] in reasons


def test_reads_about_someone_else_are_not_in_the_persons_log(sw, world):
    other = AuditEvent.objects.create(action="cases.record.viewed", actor=world.sam.pk, person=world.sam.pk)
    entries = selectors.access_log_events(person_id=world.maya.pk)
    assert other.pk not in set(entries.values_list("pk", flat=True))
