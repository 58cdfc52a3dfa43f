"""The page forms: bad input shows an inline error and the error summary, keeps
what was typed, and saves nothing; good input goes through the services."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from cases import services as case_services
from cases.models import Case, Person, RoleAssignment
from plans import services as plan_services
from plans.models import Goal, Milestone, Review


def days(n):
    return (timezone.localdate() + datetime.timedelta(days=n)).isoformat()


def _goal_data(**change):
    data = {
        "description": "Maya reads with her family every evening",
        "measure": "Reading log filled in 5 evenings a week",
        "target_date": days(60),
        "plain_summary": "You read together most evenings",
    }
    data.update(change)
    return data


def _inline_errors(response):
    return response.context["form"].errors


# --- Bad input: inline error, nothing saved, nothing lost ---------------------------


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"measure": ""}, "measure"),
        ({"target_date": ""}, "target_date"),
        ({"target_date": "2026-02-30"}, "target_date"),
        ({"target_date": "not a date"}, "target_date"),
        ({"target_date": days(-1)}, "target_date"),
        ({"description": "   "}, "description"),
        ({"plain_summary": ""}, "plain_summary"),
    ],
)
def test_goal_form_with_bad_input_shows_inline_error_and_saves_nothing(world, login, change, field):
    client = login("sam")
    before = Goal.objects.count()
    data = _goal_data(**change)
    response = client.post(reverse("plans:goal_add", args=[world.case.id]), data)
    assert response.status_code == 200
    assert field in _inline_errors(response)
    body = response.content.decode()
    assert "There is a problem" in body
    assert 'class="ju-error-message"' in body
    assert f'href="#id_{field}' in body  # the summary links to the field (a date: its day box)
    assert data["description"].strip() in body or field == "description"  # what was typed is kept
    assert Goal.objects.count() == before


def test_impossible_date_is_an_error_not_a_crash_on_every_date_field(world, login):
    client = login("sam")
    c = world.case.id
    posts = [
        (reverse("plans:goal_add", args=[c]), _goal_data(target_date="2026-02-30"), "target_date"),
        (
            reverse("plans:milestone_add", args=[c]),
            {"goal": world.goal.id, "title": "Visit", "due_date": "2026-02-30", "accountable": world.nia.id},
            "due_date",
        ),
        (
            reverse("plans:review_add", args=[c]),
            {"kind": "case_review", "scheduled_for": "2026-02-30", "accountable": world.sam.id},
            "scheduled_for",
        ),
        (
            reverse("cases:person_register"),
            {"given_name": "A", "family_name": "B", "date_of_birth": "2026-02-30", "preferred_language": "en"},
            "date_of_birth",
        ),
    ]
    for url, data, field in posts:
        response = client.post(url, data)
        assert response.status_code == 200, url
        assert field in _inline_errors(response), url


def test_milestone_for_someone_not_on_the_team_is_refused_inline(world, login):
    client = login("sam")
    response = client.post(
        reverse("plans:milestone_add", args=[world.case.id]),
        {"goal": world.goal.id, "title": "Home visit", "due_date": days(5), "accountable": world.oz.id},
    )
    assert response.status_code == 200
    assert "accountable" in _inline_errors(response)
    assert not Milestone.objects.filter(title="Home visit").exists()


def test_milestone_with_another_cases_goal_is_refused(world, login):
    other = case_services.case_open(title="Other", people=[world.maya], lead=world.sam, actor=world.sam.user)
    other_goal = plan_services.goal_add(
        case=other,
        description="D",
        measure="M",
        target_date=timezone.localdate(),
        plain_summary="P",
        actor=world.sam.user,
    )
    client = login("sam")
    response = client.post(
        reverse("plans:milestone_add", args=[world.case.id]),
        {"goal": other_goal.id, "title": "Crossed", "due_date": days(5), "accountable": world.nia.id},
    )
    assert response.status_code == 200
    assert "goal" in _inline_errors(response)
    assert not Milestone.objects.filter(title="Crossed").exists()


def test_case_without_people_or_lead_is_refused_inline(world, login):
    client = login("sam")
    before = Case.objects.count()
    response = client.post(reverse("cases:case_open"), {"title": "New family"})
    assert response.status_code == 200
    errors = _inline_errors(response)
    assert "people" in errors and "lead_professional" in errors
    assert 'value="New family"' in response.content.decode()
    assert Case.objects.count() == before


def test_case_open_offers_only_people_visible_to_me(world, login):
    hidden = case_services.person_register(given_name="Hidden", family_name="Person", actor=world.oz.user)
    client = login("sam")
    response = client.post(
        reverse("cases:case_open"), {"title": "T", "people": [hidden.id], "lead_professional": world.sam.id}
    )
    assert response.status_code == 200
    assert "people" in _inline_errors(response)
    assert "Hidden" not in response.content.decode()


def test_closing_with_a_too_short_reason_is_refused_and_the_case_stays_open(world, login):
    client = login("sam")
    response = client.post(reverse("cases:case_close", args=[world.case.id]), {"reason": "done"})
    assert response.status_code == 200
    assert "reason" in _inline_errors(response)
    world.case.refresh_from_db()
    assert world.case.status == "open"


def test_adding_the_same_person_in_the_same_role_is_refused_inline(world, login):
    client = login("sam")
    response = client.post(
        reverse("cases:assignment_add", args=[world.case.id]), {"professional": world.nia.id, "role": "contributor"}
    )
    assert response.status_code == 200
    assert "professional" in _inline_errors(response)


def test_ending_a_role_of_someone_still_accountable_shows_why_and_keeps_them(world, login):
    client = login("sam")
    nia_role = RoleAssignment.objects.get(case=world.case, professional=world.nia, ended_on=None)
    url = reverse("cases:assignment_end", args=[world.case.id, nia_role.id])
    response = client.post(url)
    assert response.status_code == 200
    assert "Hand them over first" in response.content.decode()
    nia_role.refresh_from_db()
    assert nia_role.ended_on is None


def test_handover_to_the_current_accountable_person_is_refused(world, login):
    client = login("sam")
    response = client.post(
        reverse("plans:milestone_handover", args=[world.milestone.id]), {"accountable": world.nia.id}
    )
    assert response.status_code == 200
    assert "accountable" in _inline_errors(response)


def test_junk_and_malformed_ids_answer_404_not_500(world, login):
    client = login("sam")
    for url in [
        "/cases/not-a-uuid/",
        "/cases/not-a-uuid/goals/new/",
        f"/cases/{world.case.id}/team/not-a-uuid/end/",
        "/milestones/123/handover/",
        "/reviews/zzz/handover/",
        "/people/nope/",
    ]:
        assert client.get(url).status_code == 404, url
    assert client.post("/milestones/123/complete/").status_code == 404


def test_junk_filters_and_page_numbers_do_not_break_the_lists(world, login):
    client = login("sam")
    for query in ["?page=999", "?page=abc", "?status=weird", "?q=" + "x" * 500, "?page=-1&status=open"]:
        assert client.get(reverse("cases:case_list") + query).status_code == 200, query
        assert client.get(reverse("cases:person_list") + query).status_code == 200, query


# --- Happy paths ---------------------------------------------------------------------


def test_goal_and_milestone_added_for_a_colleague_appear_on_their_my_work(world, login):
    client = login("sam")
    response = client.post(reverse("plans:goal_add", args=[world.case.id]), _goal_data())
    assert response.status_code == 302
    goal = Goal.objects.get(description="Maya reads with her family every evening")
    response = client.post(
        reverse("plans:milestone_add", args=[world.case.id]),
        {"goal": goal.id, "title": "Bring library books", "due_date": days(3), "accountable": world.nia.id},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:case_detail", args=[world.case.id])
    client = login("nia")
    body = client.get(reverse("workspace:my_work")).content.decode()
    assert "Bring library books" in body
    assert "Due this week" in body


def test_open_a_case_then_see_its_page_with_team_and_plan_sections(world, login):
    client = login("sam")
    response = client.post(
        reverse("cases:case_open"),
        {"title": "Brown family", "people": [world.maya.id], "lead_professional": world.sam.id},
    )
    case = Case.objects.get(title="Brown family")
    assert response["Location"] == reverse("cases:case_detail", args=[case.id])
    body = client.get(response["Location"]).content.decode()
    assert case.reference in body
    assert "Case team" in body and "Plan" in body and "Reviews" in body
    assert body.count("<h1") == 1


def test_register_a_person_then_their_page_is_audited_as_a_read(world, login):
    client = login("nia")
    response = client.post(
        reverse("cases:person_register"),
        {"given_name": "Ola", "family_name": "Nowak", "preferred_language": "pl", "interpreter_needed": "on"},
    )
    person = Person.objects.get(family_name="Nowak")
    assert person.interpreter_needed and person.preferred_language == "pl"
    client.get(response["Location"])
    event = AuditEvent.objects.filter(action="cases.person.viewed", person=person.id).get()
    assert event.actor == world.nia.id


def test_handover_makes_the_colleague_accountable_and_moves_it_on_my_work(world, login):
    client = login("nia")
    response = client.post(
        reverse("plans:milestone_handover", args=[world.milestone.id]), {"accountable": world.sam.id}
    )
    assert response.status_code == 302
    world.milestone.refresh_from_db()
    assert world.milestone.accountable == world.sam
    assert "Meet the school" not in client.get(reverse("workspace:my_work")).content.decode()
    assert "Meet the school" in login("sam").get(reverse("workspace:my_work")).content.decode()


def test_accountable_person_marks_their_milestone_complete(world, login):
    client = login("nia")
    response = client.post(reverse("plans:milestone_complete", args=[world.milestone.id]))
    assert response.status_code == 302
    world.milestone.refresh_from_db()
    assert world.milestone.status == "completed"


def test_contributor_cannot_complete_someone_elses_review(world, login):
    client = login("nia")
    assert client.post(reverse("plans:review_complete", args=[world.review.id])).status_code == 403
    world.review.refresh_from_db()
    assert world.review.status == "open"


def test_complete_asks_to_confirm_first_and_changes_nothing_until_confirmed(world, login):
    page = login("nia").get(reverse("plans:milestone_complete", args=[world.milestone.id]))
    assert page.status_code == 200
    assert "Mark this milestone complete?" in page.content.decode()
    world.milestone.refresh_from_db()
    assert world.milestone.status == "open"


def test_add_team_member_then_end_their_role(world, login):
    client = login("sue")
    response = client.post(
        reverse("cases:assignment_add", args=[world.case.id]), {"professional": world.ivy.id, "role": "key_worker"}
    )
    assert response.status_code == 302
    role = RoleAssignment.objects.get(case=world.case, professional=world.ivy, ended_on=None)
    assert login("ivy").get(reverse("cases:case_detail", args=[world.case.id])).status_code == 200
    client = login("sue")
    assert client.get(reverse("cases:assignment_end", args=[world.case.id, role.id])).status_code == 200
    assert client.post(reverse("cases:assignment_end", args=[world.case.id, role.id])).status_code == 302
    assert login("ivy").get(reverse("cases:case_detail", args=[world.case.id])).status_code == 404


def test_add_review_and_close_case_with_a_reason(world, login):
    client = login("sam")
    response = client.post(
        reverse("plans:review_add", args=[world.case.id]),
        {"kind": "conference", "scheduled_for": days(20), "accountable": world.nia.id},
    )
    assert response.status_code == 302
    assert Review.objects.filter(case=world.case, kind="conference", accountable=world.nia).exists()
    response = client.post(
        reverse("cases:case_close", args=[world.case.id]), {"reason": "Family moved out of the area"}
    )
    assert response.status_code == 302
    world.case.refresh_from_db()
    assert world.case.status == "closed"
    body = client.get(reverse("cases:case_detail", args=[world.case.id])).content.decode()
    assert "This case is closed" in body
    assert "Mark complete" not in body and "Add a goal" not in body


def test_case_page_shows_action_forms_only_to_those_allowed(world, login):
    url = reverse("cases:case_detail", args=[world.case.id])
    sam_body = login("sam").get(url).content.decode()
    nia_body = login("nia").get(url).content.decode()
    assert "Add a goal" in sam_body and "Add someone to the team" in sam_body and "Close the case" in sam_body
    assert "Add a goal" not in nia_body and "Add someone to the team" not in nia_body
    assert "Close the case" not in nia_body
    # nia may complete her own milestone but not sue's review
    assert reverse("plans:milestone_complete", args=[world.milestone.id]) in nia_body
    assert reverse("plans:review_complete", args=[world.review.id]) not in nia_body


def test_my_work_tags_overdue_items(world, login):
    Milestone.objects.filter(pk=world.milestone.pk).update(due_date=timezone.localdate() - datetime.timedelta(days=2))
    body = login("nia").get(reverse("workspace:my_work")).content.decode()
    assert "ju-tag--overdue" in body


def test_team_page_shows_members_due_items(world, login):
    Milestone.objects.filter(pk=world.milestone.pk).update(due_date=timezone.localdate() - datetime.timedelta(days=2))
    body = login("hal").get(reverse("workspace:team")).content.decode()
    assert "Meet the school" in body and "Nia Tester" in body


def test_team_link_is_in_the_navigation_only_for_team_leads(world, login):
    assert 'href="/team/"' in login("hal").get(reverse("workspace:my_work")).content.decode()
    assert 'href="/team/"' not in login("nia").get(reverse("workspace:my_work")).content.decode()


def test_portal_shows_the_persons_plan_in_plain_words_and_their_workers(world, login):
    body = login("maya").get(reverse("portal:home")).content.decode()
    assert "Maya goes to school every day" in body
    assert "We meet your school" in body
    assert "Sam Tester" in body and "Northvale Children&#x27;s Services" in body
    assert "Attendance above 95%" not in body  # the professional wording stays out


def test_registering_a_person_from_open_a_case_returns_there_with_them_chosen(world, login):
    client = login("sam")
    response = client.post(
        reverse("cases:person_register"),
        {"given_name": "Zara", "family_name": "Ali", "preferred_language": "en", "then": "open_case"},
    )
    zara = Person.objects.get(family_name="Ali")
    assert response["Location"] == f"{reverse('cases:case_open')}?person={zara.id}"
    body = client.get(response["Location"]).content.decode()
    assert f'value="{zara.id}"' in body and "checked" in body


def test_open_a_case_ignores_a_junk_person_in_the_link(world, login):
    assert login("sam").get(reverse("cases:case_open") + "?person=junk").status_code == 200
