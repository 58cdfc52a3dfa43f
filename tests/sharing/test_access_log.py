"""The person's "who has looked at my information": every read of their details and
records by a professional, newest first, by agency, role and reason, never the reader's
name; reads under a safeguarding override only once the reviewer says they may be told;
an information-governance lead's check of the trail listed as such. One selector
(`access_log_entries_for`); the portal's page and API group its rows by day."""

from audit.models import AuditEvent
from sharing import selectors
from sharing.services import safeguarding_review_record
from tests.sharing.conftest import override


def test_the_person_sees_who_read_their_records_by_agency_role_and_reason_without_names(sw):
    w = sw.w
    selectors.record_get_for(user=w.sam.user, record_id=sw.social.pk)
    selectors.record_get_for(user=w.nia.user, record_id=sw.general.pk)
    entries = selectors.access_log_entries_for(person=w.maya)
    assert [(e.agency, e.role) for e in entries[:2]] == [
        (w.health.name, w.nia.get_profession_display()),
        (w.social.name, w.sam.get_profession_display()),
    ]
    assert entries[0].reason == selectors.REASONS["coordination"]
    assert entries[1].reason == selectors.REASONS["own_agency"]
    assert entries[0].at >= entries[1].at
    for e in entries:
        assert "Nia" not in f"{e}" and "Sam" not in f"{e}"


def test_reads_under_an_override_appear_only_once_the_reviewer_says_the_person_may_be_told(sw):
    w = sw.w
    access = override(w, w.sam, "health")
    selectors.record_get_for(user=w.sam.user, record_id=sw.health.pk)
    reasons = [e.reason for e in selectors.access_log_entries_for(person=w.maya)]
    assert selectors.REASONS["override"] not in reasons
    reviewer = access.reviewer
    safeguarding_review_record(access=access, outcome="justified", person_may_be_told=True, actor=reviewer.user)
    reasons = [e.reason for e in selectors.access_log_entries_for(person=w.maya)]
    assert selectors.REASONS["override"] in reasons


def test_an_ig_leads_check_of_the_trail_is_listed_as_information_governance(sw):
    w = sw.w
    list(selectors.audit_list_visible_to(user=w.ivy.user, filters={"person": str(w.maya.pk)})[:50])
    [entry] = selectors.access_log_entries_for(person=w.maya)
    assert (entry.agency, entry.role, entry.reason) == (w.health.name, "Information governance", selectors.TRAIL_REASON)


def test_reads_about_someone_else_the_persons_own_look_and_older_reads_are_not_listed(sw, world):
    other = AuditEvent.objects.create(action="cases.record.viewed", actor=world.sam.pk, person=world.sam.pk)
    AuditEvent.objects.create(action=selectors.ACCESS_LOG_VIEWED, person=world.maya.pk, basis="self")
    assert other.pk not in set(selectors.access_log_events(person_id=world.maya.pk).values_list("pk", flat=True))
    assert selectors.access_log_entries_for(person=world.maya) == []
    selectors.record_get_for(user=world.sam.user, record_id=sw.social.pk)
    assert len(selectors.access_log_entries_for(person=world.maya)) == 1
    assert selectors.access_log_entries_for(person=world.maya, days=0) == []  # only the last `days` are read


def test_every_professional_read_of_a_persons_case_data_is_in_who_looked():
    """Each `cases.*` read code (viewed, listed, exported) names the person read: a new one
    left out of ACCESS_LOG_ACTIONS would hide those reads from the person's "Who looked"."""
    from sharing.audit_labels import ACTION_LABELS

    reads = {
        code
        for code in ACTION_LABELS
        if code.startswith("cases.") and code.rsplit(".", 1)[1] in {"viewed", "listed", "exported"}
    }
    assert reads - set(selectors.ACCESS_LOG_ACTIONS) == set()
