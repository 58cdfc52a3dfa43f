"""Every read of personal data writes its audit event (DESIGN invariant 5), walked over
every URL pattern of the project: each pattern is either one that returns personal data
(with how to call it, who calls it, and the event it must write) or one named here as
returning none. A new URL that is in neither list fails the walk, so nobody can add a
read of personal data and forget to classify it."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from rest_framework.test import APIClient

from audit.models import AuditEvent
from cases import services as case_services
from portal import selectors as portal_selectors
from portal import services as portal_services
from sharing import services as sharing_services
from sharing.models import SafeguardingAccess
from tests.sharing.conftest import consent, override, write
from tests.urlwalk import walk

# name -> (url builder, caller, the event the read must write, basis or None for "any")
PERSONAL = {
    # API
    "api:person-list": (lambda s: "/api/v1/people/", "sam", "cases.person.listed"),
    "api:person-detail": (lambda s: f"/api/v1/people/{s.w.maya.id}/", "sam", "cases.person.viewed"),
    "api:person-consents": (lambda s: f"/api/v1/people/{s.w.maya.id}/consents/", "sam", "cases.consent.listed"),
    "api:case-records": (lambda s: f"/api/v1/cases/{s.w.case.id}/records/", "sam", "cases.record.listed"),
    "api:case-records-export": (
        lambda s: f"/api/v1/cases/{s.w.case.id}/records/export/",
        "sam",
        "cases.record.exported",
    ),
    "api:record-detail": (lambda s: f"/api/v1/records/{s.general.id}/", "nia", "cases.record.viewed"),
    "api:audit-list": (lambda s: "/api/v1/audit/", "ivy", "audit.trail.viewed"),
    "api:audit-export": (lambda s: "/api/v1/audit/export/", "ivy", "audit.trail.exported"),
    # pages
    "cases:person_list": (lambda s: "/people/", "sam", "cases.person.listed"),
    "cases:person_detail": (lambda s: f"/people/{s.w.maya.id}/", "sam", "cases.person.viewed"),
    "sharing:case_sharing": (lambda s: f"/cases/{s.w.case.id}/sharing/", "sam", "cases.record.listed"),
    "sharing:record_list": (lambda s: f"/cases/{s.w.case.id}/records/", "sam", "cases.record.listed"),
    "sharing:record_export": (lambda s: f"/cases/{s.w.case.id}/records/export.csv", "sam", "cases.record.exported"),
    "sharing:record_search": (lambda s: "/records/search/?q=Visited", "sam", "cases.record.listed"),
    "sharing:record_detail": (lambda s: f"/records/{s.general.id}/", "nia", "cases.record.viewed"),
    "sharing:person_consents": (lambda s: f"/people/{s.w.maya.id}/consents/", "sam", "cases.consent.listed"),
    "api:household-list": (lambda s: "/api/v1/households/", "sam", "cases.household.listed"),
    "api:person-relationships": (
        lambda s: f"/api/v1/people/{s.w.maya.id}/relationships/",
        "sam",
        "cases.relationship.listed",
    ),
    "api:person-proxies": (lambda s: f"/api/v1/people/{s.w.maya.id}/proxies/", "sam", "cases.proxy.listed"),
    "api:me-plan": (lambda s: "/api/v1/me/plan/", "maya", "portal.plan.viewed"),
    "api:me-access-log": (lambda s: "/api/v1/me/access-log/", "maya", "portal.access_log.viewed"),
    "api:me-messages": (lambda s: "/api/v1/me/messages/", "maya", "portal.messages.viewed"),
    "api:case-messages": (lambda s: f"/api/v1/cases/{s.w.case.id}/messages/", "sam", "portal.case_view.viewed"),
    "cases:case_family": (lambda s: f"/cases/{s.w.case.id}/family/", "sam", "cases.relationship.listed"),
    "cases:household_edit": (
        lambda s: f"/cases/{s.w.case.id}/family/households/{s.household.id}/edit/",
        "sam",
        "cases.household.viewed",
    ),
    "cases:household_member_remove": (
        lambda s: f"/cases/{s.w.case.id}/family/households/{s.household.id}/members/{s.w.maya.id}/remove/",
        "sam",
        "cases.household.viewed",
    ),
    "cases:relationship_remove": (
        lambda s: f"/cases/{s.w.case.id}/family/relationships/{s.relationship.id}/remove/",
        "sam",
        "cases.relationship.viewed",
    ),
    "portal_team:case_portal": (lambda s: f"/cases/{s.w.case.id}/portal/", "sam", "portal.case_view.viewed"),
    "portal:workers": (lambda s: "/portal/workers/", "maya", "portal.plan.viewed"),
    "portal:messages": (lambda s: "/portal/messages/", "maya", "portal.messages.viewed"),
    "portal:information": (lambda s: "/portal/information/", "maya", "cases.consent.listed"),
    "portal:looked": (lambda s: "/portal/looked/", "maya", "portal.access_log.viewed"),
    "portal:home_for": (lambda s: f"/portal/for/{s.w.maya.id}/", "ada", "portal.plan.viewed"),
    "portal:workers_for": (lambda s: f"/portal/for/{s.w.maya.id}/workers/", "ada", "portal.plan.viewed"),
    "portal:messages_for": (lambda s: f"/portal/for/{s.w.maya.id}/messages/", "ada", "portal.messages.viewed"),
    "portal:information_for": (lambda s: f"/portal/for/{s.w.maya.id}/information/", "ada", "cases.consent.listed"),
    "portal:looked_for": (lambda s: f"/portal/for/{s.w.maya.id}/looked/", "ada", "portal.access_log.viewed"),
    "sharing:audit_trail": (lambda s: "/audit/", "ivy", "audit.trail.viewed"),
    "sharing:audit_export": (lambda s: "/audit/export.csv", "ivy", "audit.trail.exported"),
    "sharing:audit_suggest": (lambda s: "/audit/suggest/?field=person&person=Oka", "ivy", "cases.person.listed"),
    "sharing:override_records": (
        lambda s: f"/governance/overrides/{SafeguardingAccess.objects.get().id}/records/",
        "ivy",
        "audit.trail.viewed",
    ),
    "portal:home": (lambda s: "/portal/", "maya", "portal.plan.viewed"),
    # meetings: views (sealed until opened), decisions, dissent, minutes, the invitation
    "api:meeting-detail": (lambda s: f"/api/v1/meetings/{s.meeting.id}/", "sam", "meetings.meeting.viewed"),
    "api:meeting-my-view": (lambda s: f"/api/v1/meetings/{s.meeting.id}/my-view/", "sam", "meetings.view.viewed"),
    "api:meeting-decisions": (
        lambda s: f"/api/v1/meetings/{s.meeting.id}/decisions/",
        "sam",
        "meetings.decision.listed",
    ),
    "api:meeting-invite": (
        lambda s: f"/api/v1/meetings/{s.meeting.id}/invite.ics",
        "nia",
        "meetings.invitation.viewed",
    ),
    "meetings:meeting_detail": (lambda s: f"/meetings/{s.meeting.id}/", "sam", "meetings.meeting.viewed"),
    "meetings:my_view": (lambda s: f"/meetings/{s.meeting.id}/my-view/", "sam", "meetings.view.viewed"),
    "meetings:dissent_answer": (
        lambda s: f"/meetings/dissents/{s.dissent.id}/answer/",
        "sue",
        "meetings.dissent.viewed",
    ),
    "portal_meetings:meeting": (lambda s: f"/portal/meetings/{s.meeting.id}/", "maya", "portal.meeting.viewed"),
    "portal_meetings:meeting_for": (
        lambda s: f"/portal/for/{s.w.maya.id}/meetings/{s.meeting.id}/",
        "ada",
        "portal.meeting.viewed",
    ),
}

# Patterns that return no personal data on GET (forms, directory data, the caller's own
# work items, writes, the schema, the health check), or that read it only through a pattern above.
NOT_PERSONAL = {
    "login", "logout", "password_change", "password_change_done", "healthz",
    # signing in: the caller's own second factors and session (tests/auth)
    "workspace:two_factor_setup", "workspace:two_factor_verify", "workspace:recovery_codes",
    "workspace:session_extend", "workspace:session_status",
    "otp_webauthn:credential-registration-begin", "otp_webauthn:credential-registration-complete",
    "otp_webauthn:credential-authentication-begin", "otp_webauthn:credential-authentication-complete",
    "otp_webauthn:js-i18n-catalog",
    "api:schema", "api:docs", "api:auth-token", "api:me", "api:my-notifications",
    "api:agency-list", "api:agency-detail", "api:team-list", "api:team-detail",
    "api:professional-list", "api:professional-detail",
    # case coordination data (titles, plans, teams) by case reference and ids; records and
    # people are read through their own, audited, endpoints
    "api:case-list", "api:case-detail", "api:case-assignments", "api:case-goals", "api:case-milestones",
    "api:case-reviews", "api:milestone-detail", "api:goal-detail", "cases:case_list", "cases:case_detail",
    # writes (POST only, or a GET that shows an empty form)
    "api:person-portal-account", "api:milestone-complete", "api:consent-withdraw",
    "api:case-safeguarding-access", "api:safeguarding-access-review",
    "cases:case_open", "cases:assignment_add", "cases:assignment_end", "cases:case_close", "cases:person_register",
    "plans:goal_add", "plans:milestone_add", "plans:review_add", "plans:milestone_handover",
    "plans:milestone_complete", "plans:review_handover", "plans:review_complete",
    "plans:goal_edit", "plans:goal_outcome", "plans:milestone_edit", "plans:milestone_redate",
    "plans:milestone_cancel", "plans:milestone_reopen", "plans:milestone_complete_undo", "plans:review_redate",
    "plans:review_cancel", "plans:review_reopen", "plans:review_complete_undo",
    "sharing:record_write", "sharing:override_take", "sharing:consent_record", "sharing:consent_withdraw",
    "sharing:override_end",
    "api:person-proxy-detail", "api:person-proxy-freeze", "api:me-feedback", "cases:plain_title", "cases:plain_words",
    "cases:relationship_add", "cases:case_relationship_add", "cases:household_add",
    "cases:portal_account", "cases:proxy_add", "cases:proxy_change",
    "portal_team:case_portal_reply", "portal:welcome",
    "portal:information_change", "portal:information_confirm", "portal:information_withdraw",
    "portal:information_change_for", "portal:information_confirm_for", "portal:information_withdraw_for",
    # the person's own rating form and their own requests for a copy of their records (status and dates)
    "portal:say", "portal:say_for", "portal:copy", "portal:copy_for", "api:me-subject-access-requests",
    # the requests for a copy of records an IG lead must answer: case reference and dates
    "sharing:sar_queue", "sharing:sar_detail",
    # overrides: ids, categories and times of reads (the records themselves are read elsewhere)
    "api:safeguarding-access-list", "api:safeguarding-access-detail", "sharing:review_queue",
    "sharing:review_record",
    # the caller's own work and notices
    "workspace:my_work", "workspace:team", "workspace:team_member", "accountability:notification_list",
    "accountability:notification_read_all", "accountability:reminder_settings", "accountability:calendar_reset",
    "accountability:notification_read", "accountability:calendar_feed",
    # meetings: lists by kind, date and status (no view, decision or minute content); writes;
    # the pending-view reminder's redirect; the family's list of their meetings' dates
    "api:case-meetings", "api:meeting-open", "api:meeting-close", "api:dissent-answer",
    "meetings:meeting_schedule", "meetings:meeting_open", "meetings:meeting_cancel", "meetings:attendance",
    "meetings:decision_add", "meetings:meeting_close", "meetings:view_due", "portal_meetings:meeting_list",
    # a proxy's list of the family's meetings (dates only); the account's own passkeys (dates only)
    "portal_meetings:meeting_list_for", "portal:sign_in", "portal:passkey_remove",
    # the portal's language buttons: a POST that sets the session's language, reading nothing
    "portal:language",
}  # fmt: skip


def _names():
    # Django admin (staff tooling, scoped in agencies/admin.py) is not classified here.
    return {p.name for p in walk() if not p.is_admin}


def test_every_url_pattern_is_classified_as_reading_personal_data_or_not():
    names = _names()
    unclassified = names - set(PERSONAL) - NOT_PERSONAL
    assert not unclassified, f"classify these URL patterns in {__file__}: {sorted(unclassified)}"
    assert not (set(PERSONAL) - names), "PERSONAL names a pattern that no longer exists"
    assert not (NOT_PERSONAL - names), f"NOT_PERSONAL names patterns that no longer exist: {NOT_PERSONAL - names}"


@pytest.fixture
def read_world(world):
    """Something of every kind to read: records, a consent decision, an override."""
    from types import SimpleNamespace

    general = write(world, world.sam, "general")
    write(world, world.nia, "health")
    consent(world, world.maya, "health", world.social)
    override(world, world.nia, "social_care")
    sharing_services.record_write(case=world.case, category="social_care", text="Visited at home", actor=world.sam.user)
    ada = case_services.person_register(given_name="Ada", family_name="Okafor", actor=world.sam.user)
    world.case.people.add(ada)
    case_services.person_portal_account_create(
        person=ada, username="ada", password=world.password, actor=world.sam.user
    )
    relationship = case_services.relationship_add(
        person=ada, to=world.maya, kind="parent", parental_responsibility=True, actor=world.sam.user
    )
    case_services.proxy_link(
        person=world.maya,
        username="ada",
        scope="plan_and_consents",
        valid_until=world.case.opened_at.date() + datetime.timedelta(days=90),
        actor=world.sam.user,
    )
    household = case_services.household_create(name="Okafor household", members=[ada, world.maya], actor=world.sam.user)
    subject = portal_selectors.portal_subject_for(user=world.maya.user)
    portal_services.message_send(
        subject=subject, case=world.case, text="When is the next visit?", actor=world.maya.user
    )
    meeting, dissent = _a_meeting_with_a_dissent(world)
    return SimpleNamespace(
        w=world,
        general=general,
        meeting=meeting,
        dissent=dissent,
        household=household,
        relationship=relationship,
    )


def _a_meeting_with_a_dissent(world):
    """A meeting sam chairs, family invited, sam's view given; then a copy opened with a dissent sue answers."""
    import datetime

    from django.utils import timezone

    from meetings import services as meeting_services

    def at(days, hour):
        d = timezone.localdate() + datetime.timedelta(days=days)
        return timezone.make_aware(datetime.datetime(d.year, d.month, d.day, hour))

    def schedule():
        return meeting_services.meeting_schedule(
            case=world.case,
            kind="core_group",
            starts_at=at(2, 10),
            ends_at=at(2, 11),
            location="Room 1",
            chair=world.sam,
            note_taker=world.nia,
            invitees=[world.sue],
            family_invited=True,
            views_due_at=at(1, 17),
            actor=world.sam.user,
        )

    meeting = schedule()
    view = {"rating": 5, "worries": "w", "working_well": "ww", "next_steps": "n"}
    meeting_services.view_give(meeting=meeting, actor=world.sam.user, **view)
    opened = schedule()
    meeting_services.meeting_open(meeting=opened, actor=world.sam.user)
    decision = meeting_services.decision_record(
        meeting=opened,
        actor=world.sam.user,
        text="Decided",
        dissent=[meeting_services.DissentIn(professional=world.nia, reason="I disagree")],
    )
    return meeting, decision.dissents.get()


def _client(world, who, api):
    if who == "ada":
        user = get_user_model().objects.get(username="ada")
    else:
        user = getattr(world, who).user if who != "maya" else world.maya.user
    if api:
        client = APIClient()
        client.force_authenticate(user)
    else:
        client = Client()
        client.force_login(user)
    return client, user


@pytest.mark.parametrize("name", sorted(PERSONAL))
def test_each_read_of_personal_data_writes_its_event(read_world, name):
    url, who, action = PERSONAL[name]
    client, user = _client(read_world.w, who, name.startswith("api:"))
    before = AuditEvent.objects.filter(action=action, actor_user_id=user.pk).count()
    response = client.get(url(read_world))
    assert response.status_code == 200, (name, response.status_code)
    if hasattr(response, "streaming_content"):
        b"".join(response.streaming_content)
    written = AuditEvent.objects.filter(action=action, actor_user_id=user.pk)
    assert written.count() > before, f"{name} read personal data and wrote no {action} event"


def test_reading_the_audit_trail_is_audited_with_its_filters_and_count(read_world):
    w = read_world.w
    client, _ = _client(w, "ivy", api=True)
    body = client.get(f"/api/v1/audit/?person={w.maya.id}").json()
    event = AuditEvent.objects.get(action="audit.trail.viewed")
    assert (event.actor, event.person, event.basis) == (w.ivy.id, w.maya.id, "own_agency")
    assert event.detail == {"events": len(body["results"]), "filters": {"person": str(w.maya.id)}}
    csv = APIClient()
    csv.force_authenticate(w.admin)
    assert csv.get("/api/v1/audit/export/").status_code == 200
    exported = AuditEvent.objects.get(action="audit.trail.exported")
    assert (exported.actor_user_id, exported.basis) == (w.admin.pk, "admin")


def test_a_filtered_export_is_audited_about_its_person_and_keeps_no_typed_words(read_world):
    """The export's event names the person it was filtered by (so it shows in that person's
    trail), and a word typed where a code or a date belongs is not stored."""
    w = read_world.w
    csv = APIClient()
    csv.force_authenticate(w.admin)
    url = f"/api/v1/audit/export/?person={w.maya.id}&action=Jade+Carter&from=Maya&nickname=Okafor"
    response = csv.get(url)
    assert response.status_code == 200
    b"".join(response.streaming_content)
    exported = AuditEvent.objects.get(action="audit.trail.exported")
    assert exported.person == w.maya.id
    assert exported.detail["filters"] == {"person": str(w.maya.id)}


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("smith", None),  # a surname has the shape of a code: it is not one
        ("jade.carter", None),
        ("cases.smith.", None),
        ("cases.record.viewed", "cases.record.viewed"),
        ("cases.record.", "cases.record."),
        ("cases.", "cases."),
    ],
)
def test_the_trails_read_keeps_an_action_filter_only_when_it_is_a_known_code_or_prefix(read_world, typed, kept):
    """Typed words never reach the audit trail: an action filter is recorded only when it is
    an action code (or a prefix of codes ending in ".") the trail knows. The filter itself
    still applies: an event under a code nobody labelled (an old one) is still found."""
    w = read_world.w
    seeded = typed + "x" if typed.endswith(".") else typed  # an event the filter finds
    AuditEvent.objects.create(action=seeded, actor=w.nia.id, actor_agency=w.health.id)
    client, _ = _client(w, "ivy", api=True)
    listed = client.get(f"/api/v1/audit/?action={typed}")
    assert listed.status_code == 200 and listed.json()["results"]
    viewed = AuditEvent.objects.filter(action="audit.trail.viewed").latest("id")
    assert viewed.detail["filters"].get("action") == kept
    exported = client.get(f"/api/v1/audit/export/?action={typed}")
    assert exported.status_code == 200
    b"".join(exported.streaming_content)
    assert AuditEvent.objects.filter(action="audit.trail.exported").latest("id").detail["filters"].get("action") == kept


def test_the_persons_own_portal_reads_are_audited_as_self(read_world):
    w = read_world.w
    client, _ = _client(w, "maya", api=False)
    client.get("/portal/")
    client.get("/portal/information/")
    assert AuditEvent.objects.get(action="portal.plan.viewed").basis == "self"
    assert set(AuditEvent.objects.filter(action="cases.consent.listed").values_list("basis", flat=True)) == {"self"}
