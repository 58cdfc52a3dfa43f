"""My plan in plain words (issue 12, found as a parent would): late items say so, the
next review shows, each step says who and how to reach them, team leads are "manager
of", the professional case title and professional wording never show."""

import datetime

from django.utils import timezone

from accountability.models import Reminder
from audit.models import AuditEvent
from plans import services as plan_services
from plans.models import Milestone
from portal import selectors
from portal.models import PortalMessage


def today():
    return timezone.localdate()


def test_a_late_step_says_late_with_the_date_it_was_due(world, as_user):
    Milestone.objects.filter(pk=world.milestone.pk).update(due_date=today() - datetime.timedelta(days=4))
    page = as_user("maya").get("/portal/").content.decode()
    assert "We meet your school" in page
    assert "Late" in page
    due = (today() - datetime.timedelta(days=4)).strftime("%-d %B %Y")
    assert f"It should have been done by {due}" in page
    plan = as_user("maya", api=True).get("/api/v1/me/plan/").json()["results"][0]
    step = plan["goals"][0]["milestones"][0]
    assert step["status"] == "late"
    assert step["accountable"] == {
        "name": "Nia Tester",
        "agency": "Northvale Community Health",
        "role": "Health visitor",
        "contact": "Ask Sam to put you in touch.",
    }


def test_the_next_review_and_the_lead_worker_show(world, as_user):
    page = as_user("maya").get("/portal/").content.decode()
    assert world.review.scheduled_for.strftime("%-d %B %Y") in page
    assert "Your lead worker is Sam Tester" in page
    plan = as_user("maya", api=True).get("/api/v1/me/plan/").json()["results"][0]
    assert plan["reviews"][0]["date"] == world.review.scheduled_for.isoformat()


def test_team_leads_are_managers_of_their_worker_not_helping(world, as_user):
    page = as_user("maya").get("/portal/workers/").content.decode()
    assert "Manager of Sam Tester" in page  # sue leads sam's team and oversees the case
    plans = selectors.portal_plan(subject=selectors.portal_subject_for(user=world.maya.user))
    roles = {w.name: w.role for w in plans[0].workers}
    assert roles["Sam Tester"] == "Social worker, your lead worker"
    assert roles["Sue Tester"] == "Manager of Sam Tester"


def test_the_professional_title_and_items_without_a_plain_summary_never_show(world, as_user, client):
    plan_services.milestone_add(
        case=world.case,
        goal=world.goal,
        title="Strategy discussion re section 47 threshold",
        due_date=today() + datetime.timedelta(days=3),
        accountable=world.sam,
        actor=world.sam.user,
    )
    page = as_user("maya").get("/portal/").content.decode()
    assert "Okafor family support" not in page  # the professional case title
    assert "Your plan with Northvale Children&#x27;s Services" in page  # the default plain title
    assert "Strategy discussion" not in page
    api = as_user("maya", api=True).get("/api/v1/me/plan/").content.decode()
    assert "Strategy discussion" not in api and "Okafor family support" not in api
    client.force_login(world.sam.user)
    section = client.get(f"/cases/{world.case.id}/portal/").content.decode()
    assert "The person cannot see 1 item yet" in section
    assert "Strategy discussion re section 47 threshold" in section


def test_the_lead_sets_the_plain_title_and_the_form_flags_jargon_and_reading_age(world, client, as_user):
    from cases.models import GlossaryTerm

    # the seeded term (cases 0003), made here too: a browser test's flush before this one empties the table
    GlossaryTerm.objects.get_or_create(term="TAF", defaults={"plain": "a meeting of the people helping your family"})
    client.force_login(world.sam.user)
    checked = client.post(
        f"/cases/{world.case.id}/plain-title/", {"plain_title": "Your TAF plan and CP stuff", "check": "1"}
    ).content.decode()
    assert "Reading age" in checked
    assert "a meeting of the people helping your family" in checked  # TAF, from the glossary
    world.case.refresh_from_db()
    assert world.case.plain_title == ""  # checking does not save
    client.post(f"/cases/{world.case.id}/plain-title/", {"plain_title": "Help for Maya at school", "save": "1"})
    assert "Help for Maya at school" in as_user("maya").get("/portal/").content.decode()
    client.force_login(world.nia.user)  # a contributor may not
    assert client.post(f"/cases/{world.case.id}/plain-title/", {"plain_title": "x", "save": "1"}).status_code == 403


def test_a_message_reaches_the_lead_worker_with_a_notice_and_a_reply_comes_back(world, as_user, client):
    r = as_user("maya").post("/portal/messages/", {"text": "Can we meet on Friday?", "case": str(world.case.id)})
    assert r.status_code == 302
    message = PortalMessage.objects.get()
    assert (message.to_professional_id, message.answered_at) == (world.sam.id, None)
    notice = Reminder.objects.get(subject_type="portal_message")
    assert (notice.recipient, notice.kind) == (world.sam.id, "message")
    assert AuditEvent.objects.filter(action="portal.message.sent", basis="self").exists()
    client.force_login(world.sam.user)
    section = client.get(f"/cases/{world.case.id}/portal/").content.decode()
    assert "Can we meet on Friday?" in section and "1 to answer" in section
    client.post(f"/cases/{world.case.id}/portal/reply/", {"person": str(world.maya.id), "text": "Yes, 10am."})
    message.refresh_from_db()
    assert message.answered_at is not None
    thread = as_user("maya").get("/portal/messages/").content.decode()
    assert "Yes, 10am." in thread and "Sam Tester wrote" in thread
    api = as_user("maya", api=True)
    assert [m["kind"] for m in api.get("/api/v1/me/messages/").json()["results"]] == ["from_person", "reply"]
    bad = api.post("/api/v1/me/messages/", {"text": ""}, format="json")
    assert bad.status_code == 400 and "text" in bad.json()
    client.force_login(world.nia.user)  # not a manager of the case: may not answer
    assert (
        client.post(f"/cases/{world.case.id}/portal/reply/", {"person": str(world.maya.id), "text": "x"}).status_code
        == 403
    )
    assert PortalMessage.objects.filter(kind="reply").count() == 1


def test_what_i_think_shows_beside_the_plan_on_the_case_page(world, as_user, client):
    api = as_user("maya", api=True)
    assert api.post("/api/v1/me/feedback/", {"rating": 6}, format="json").status_code == 400
    assert api.post("/api/v1/me/feedback/", {"rating": "x"}, format="json").status_code == 400
    assert (
        api.post("/api/v1/me/feedback/", {"rating": 2, "comment": "Too many visits"}, format="json").status_code == 201
    )
    as_user("maya").post("/portal/say/", {"rating": "4", "comment": "Better now", "case": str(world.case.id)})
    client.force_login(world.sam.user)
    section = client.get(f"/cases/{world.case.id}/portal/").content.decode()
    assert "4 out of 5" in section and "Better now" in section
    assert "Last time you said 4 out of 5" in as_user("maya").get("/portal/say/").content.decode()


def test_an_unanswered_message_is_on_the_leads_my_work(world, as_user, client):
    as_user("maya").post("/portal/messages/", {"text": "Hello", "case": str(world.case.id)})
    client.force_login(world.sam.user)
    assert "Answer the person&#x27;s message" in client.get("/").content.decode()
