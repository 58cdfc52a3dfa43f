"""My information: what is shared and why, yes / no / take back in a plain journey with a
check-your-answers step, in force at once, audited, the lead told; who has looked, by
agency and role, never by name; overrides only once the reviewer cleared telling."""

import datetime

from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from portal.models import PortalMessage
from sharing import policy
from sharing import services as sharing_services
from sharing.models import Consent
from tests.sharing.conftest import override, write


def test_saying_yes_goes_through_check_your_answers_and_works_at_once(world, as_user):
    record = write(world, world.sam, "social_care")
    assert policy.record_basis(world.nia, record.id) is None
    maya = as_user("maya")
    page = maya.get("/portal/information/").content.decode()
    assert "Nobody has asked you yet" in page
    choice = {"agency": str(world.health.id), "category": "social_care", "decision": "given"}
    check = maya.post("/portal/information/change/", choice).content.decode()
    assert "Check your answer" in check and "Northvale Community Health" in check
    assert not Consent.objects.exists()  # nothing written before the check
    assert maya.post("/portal/information/confirm/", choice).status_code == 302
    consent = Consent.objects.get()
    assert (consent.recorded_by_id, consent.given_by) == (None, "Maya Okafor")
    assert policy.record_basis(world.nia, record.id) == "consent"  # at once
    assert AuditEvent.objects.filter(action="cases.consent.recorded", basis="self").exists()
    told = PortalMessage.objects.get(kind="notice")
    assert told.to_professional_id == world.sam.id and "said yes" in told.text
    page = maya.get("/portal/information/").content.decode()
    assert "They can see it. You said yes." in page
    withdraw = f"/portal/information/{consent.id}/withdraw/"
    assert "Take back your yes" in maya.get(withdraw).content.decode()
    assert maya.post(withdraw).status_code == 302
    assert policy.record_basis(world.nia, record.id) is None
    assert PortalMessage.objects.filter(kind="notice").count() == 2


def test_bad_choices_keep_what_was_picked_and_write_nothing(world, as_user):
    maya = as_user("maya")
    page = maya.post("/portal/information/change/", {"agency": str(world.health.id), "category": "spying"})
    assert page.status_code == 200 and "Pick yes or no." in page.content.decode()
    assert maya.post("/portal/information/confirm/", {"agency": "junk", "category": "health"}).status_code == 200
    assert not Consent.objects.exists()


def test_who_looked_shows_agencies_and_roles_never_names(world, as_user, client):
    write(world, world.nia, "general")
    client.force_login(world.sam.user)
    client.get(f"/people/{world.maya.id}/")
    client.get(f"/cases/{world.case.id}/records/")
    lines = as_user("maya", api=True).get("/api/v1/me/access-log/").json()["results"]
    assert {(line["agency"], line["role"]) for line in lines} >= {("Northvale Children's Services", "Social worker")}
    body = as_user("maya").get("/portal/looked/").content.decode()
    assert "Social worker, Northvale Children&#x27;s Services" in body
    assert "Sam Tester" not in body.split("<main", 1)[1].split("</main>")[0]


def test_who_looked_shows_a_professional_who_opened_the_persons_household_or_relationship(world, as_user, client):
    """Opening a household to change it, or a relationship to remove it, reads the person's
    details: the person sees that agency in "Who looked"."""
    from cases import services as case_services

    ada = case_services.person_register(given_name="Ada", family_name="Okafor", actor=world.sam.user)
    world.case.people.add(ada)
    home = case_services.household_create(name="Okafor household", members=[ada, world.maya], actor=world.sam.user)
    rel = case_services.relationship_add(
        person=ada, to=world.maya, kind="parent", parental_responsibility=True, actor=world.sam.user
    )

    def agencies() -> set[str]:
        return {line["agency"] for line in as_user("maya", api=True).get("/api/v1/me/access-log/").json()["results"]}

    assert agencies() == set()
    client.force_login(world.nia.user)
    assert client.get(reverse("cases:household_edit", args=[world.case.id, home.id])).status_code == 200
    assert agencies() == {world.health.name}
    client.force_login(world.sue.user)
    assert client.get(reverse("cases:relationship_remove", args=[world.case.id, rel.id])).status_code == 200
    assert agencies() == {world.health.name, world.social.name}


def test_a_read_under_an_override_shows_only_once_the_reviewer_cleared_telling(world, as_user, client):
    record = write(world, world.sam, "social_care")
    access = override(world, world.nia, "social_care")
    client.force_login(world.nia.user)
    assert client.get(f"/records/{record.id}/").status_code == 200
    reasons = [line["reason"] for line in as_user("maya", api=True).get("/api/v1/me/access-log/").json()["results"]]
    assert not any("keep someone safe" in r for r in reasons)
    sharing_services.safeguarding_review_record(
        access=access, outcome="justified", person_may_be_told=True, notes="ok", actor=world.ivy.user
    )
    reasons = [line["reason"] for line in as_user("maya", api=True).get("/api/v1/me/access-log/").json()["results"]]
    assert any("keep someone safe" in r for r in reasons)
    assert "When we looked to keep someone safe" in as_user("maya").get("/portal/information/").content.decode()


def test_a_copy_of_my_records_is_due_in_one_calendar_month_for_the_ig_lead(world, as_user, client):
    from accountability.registry import due_sources
    from sharing.models import SubjectAccessRequest
    from sharing.services import one_calendar_month_after

    maya = as_user("maya")
    assert maya.post("/portal/copy/").status_code == 302
    sar = SubjectAccessRequest.objects.get()
    assert sar.accountable_id == world.sue.id  # IG lead of the lead professional's agency
    assert sar.due_date == one_calendar_month_after(timezone.localdate())
    assert "We will send it by" in maya.get("/portal/copy/").content.decode()
    assert "subject_access_request" in {s.subject_type for s in due_sources()}
    again = as_user("maya", api=True).post("/api/v1/me/subject-access-requests/")
    assert again.status_code == 400
    client.force_login(world.sue.user)
    assert client.post(f"/governance/subject-access/{sar.id}/").status_code == 302
    assert as_user("maya", api=True).get("/api/v1/me/subject-access-requests/").json()["results"][0]["status"] == "sent"
    client.force_login(world.nia.user)
    assert client.get(f"/governance/subject-access/{sar.id}/").status_code == 404


def test_one_calendar_month_clamps_to_the_end_of_a_short_month():
    from sharing.services import one_calendar_month_after

    assert one_calendar_month_after(datetime.date(2027, 1, 31)) == datetime.date(2027, 2, 28)
    assert one_calendar_month_after(datetime.date(2028, 1, 30)) == datetime.date(2028, 2, 29)
    assert one_calendar_month_after(datetime.date(2026, 12, 15)) == datetime.date(2027, 1, 15)


def test_the_scan_reminds_the_ig_lead_of_a_request_due(world, as_user):
    from accountability.services import reminders_scan
    from sharing.models import SubjectAccessRequest

    as_user("maya").post("/portal/copy/")
    sar = SubjectAccessRequest.objects.get()
    reminders_scan(today=sar.due_date, enqueue=False)
    from accountability.models import Reminder

    assert Reminder.objects.filter(subject_type="subject_access_request", recipient=world.sue.id).exists()


def test_a_request_for_a_copy_is_on_the_ig_leads_my_work(world, as_user, client):
    as_user("maya").post("/portal/copy/")
    client.force_login(world.sue.user)
    assert "Send the person a copy of their records" in client.get("/").content.decode()


def test_the_database_keeps_one_open_copy_request_per_person(world, as_user):
    """Two requests sent at the same moment both pass the service's check; the second insert
    must still be refused (the service then answers as for a repeat)."""
    import pytest
    from django.db import IntegrityError, transaction

    from sharing.models import SubjectAccessRequest, SubjectAccessStatus

    assert as_user("maya").post("/portal/copy/").status_code == 302
    first = SubjectAccessRequest.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        SubjectAccessRequest.objects.create(
            person=first.person,
            case=first.case,
            requested_by_user=first.requested_by_user,
            accountable=first.accountable,
            due_date=first.due_date,
        )
    SubjectAccessRequest.objects.filter(pk=first.pk).update(
        status=SubjectAccessStatus.SENT, completed_at=timezone.now()
    )
    assert as_user("maya").post("/portal/copy/").status_code == 302  # a new one once the first is sent
    assert SubjectAccessRequest.objects.filter(status=SubjectAccessStatus.RECEIVED).count() == 1
