"""The five findings of issue 9 ("Sharing the person can trust"), each reproduced as
it was reported, then the rules DESIGN.md "Information sharing" states around them:
the latest decision in force decides, nobody grants their own agency access, nobody
reviews their own override, and the API shows consent `state` and `records_opened`."""

from django.test import Client
from rest_framework.test import APIClient

from agencies import services as agency_services
from audit.models import AuditEvent
from sharing import policy
from sharing import services as sharing_services
from sharing.models import Consent, SafeguardingAccess
from tests.sharing.conftest import JUSTIFICATION, days, override, write


def api_as(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def payload(world, *, category="health", agency=None, decision="given", **extra):
    return {
        "category": category,
        "agency": str((agency or world.social).id),
        "purpose": "Joint support plan",
        "decision": decision,
        "valid_from": days(-1).isoformat(),
        "given_by": "Parent with parental responsibility",
        **extra,
    }


def visible(professional, case):
    return dict(policy.records_visible_to(professional, case=case).values_list("id", "basis"))


# --- Finding 1: nobody grants their own agency access -------------------------------------


def test_a_professional_cannot_record_a_consent_for_their_own_agency(world):
    record = write(world, world.nia, "health")
    response = api_as(world.sam.user).post(f"/api/v1/people/{world.maya.id}/consents/", payload(world))
    assert response.status_code == 403
    message = response.json()["detail"]
    assert "the person" in message and "does not work for" in message and world.social.name in message
    assert not Consent.objects.exists()
    assert api_as(world.sam.user).get(f"/api/v1/records/{record.id}/").status_code == 404


def test_a_professional_of_another_agency_on_the_case_records_the_consent(world):
    record = write(world, world.nia, "health")
    response = api_as(world.nia.user).post(f"/api/v1/people/{world.maya.id}/consents/", payload(world))
    assert response.status_code == 201
    assert response.json()["recorded_by"] == str(world.nia.id)
    assert api_as(world.sam.user).get(f"/api/v1/records/{record.id}/").json()["basis"] == "consent"


def test_a_professional_who_only_oversees_the_case_is_not_on_it_and_may_not_record(world):
    # hal sees the case because he leads nia's team, but he is not on the case team.
    response = api_as(world.hal.user).post(f"/api/v1/people/{world.maya.id}/consents/", payload(world))
    assert response.status_code == 403
    assert not Consent.objects.exists()


def test_the_person_records_a_consent_for_any_agency_through_the_portal(world):
    response = api_as(world.maya.user).post(f"/api/v1/people/{world.maya.id}/consents/", payload(world))
    assert response.status_code == 201
    assert response.json()["recorded_by"] is None


def test_the_consent_page_refuses_a_professional_of_the_receiving_agency(world):
    page = Client()
    page.force_login(world.sam.user)
    form = {**payload(world), "category": "health"}
    response = page.post(f"/people/{world.maya.id}/consents/new/", form)
    assert response.status_code == 403
    assert not Consent.objects.exists()


def test_the_person_sees_every_decision_about_them_with_who_recorded_it_and_when(world):
    api_as(world.nia.user).post(f"/api/v1/people/{world.maya.id}/consents/", payload(world))
    api_as(world.maya.user).post(f"/api/v1/people/{world.maya.id}/consents/", payload(world, decision="refused"))
    page = Client()
    page.force_login(world.maya.user)
    html = page.get("/portal/information/").content.decode()  # the person's own page (portal)
    assert "Put down by Nia Tester." in html and "Put down by You." in html
    assert html.count("Put down by") == 2


# --- Finding 2: the latest decision in force wins -------------------------------------------


def test_a_later_refusal_stops_sharing_at_once(sw):
    w = sw.w
    assert api_as(w.nia.user).post(f"/api/v1/people/{w.maya.id}/consents/", payload(w)).status_code == 201
    assert visible(w.sam, w.case)[sw.health.id] == "consent"
    refused = api_as(w.maya.user).post(f"/api/v1/people/{w.maya.id}/consents/", payload(w, decision="refused"))
    assert refused.status_code == 201
    assert sw.health.id not in visible(w.sam, w.case)
    assert sw.health.id not in dict(policy.records_visible_to(w.sam).values_list("id", "basis"))
    assert api_as(w.sam.user).get(f"/api/v1/records/{sw.health.id}/").status_code == 404


def test_a_later_given_restores_sharing_after_a_refusal(sw):
    w = sw.w
    api_as(w.maya.user).post(f"/api/v1/people/{w.maya.id}/consents/", payload(w, decision="refused"))
    assert sw.health.id not in visible(w.sam, w.case)
    api_as(w.maya.user).post(f"/api/v1/people/{w.maya.id}/consents/", payload(w))
    assert visible(w.sam, w.case)[sw.health.id] == "consent"


def test_withdrawing_the_latest_given_stops_sharing_even_with_an_older_given(sw):
    w = sw.w
    client = api_as(w.maya.user)
    client.post(f"/api/v1/people/{w.maya.id}/consents/", payload(w))
    latest = client.post(f"/api/v1/people/{w.maya.id}/consents/", payload(w)).json()
    client.post(f"/api/v1/consents/{latest['id']}/withdraw/")
    assert sw.health.id not in visible(w.sam, w.case)
    client.post(f"/api/v1/people/{w.maya.id}/consents/", payload(w))
    assert visible(w.sam, w.case)[sw.health.id] == "consent"


def test_an_expired_refusal_no_longer_stops_an_earlier_given_in_force(sw):
    w = sw.w
    client = api_as(w.maya.user)
    client.post(f"/api/v1/people/{w.maya.id}/consents/", payload(w))
    client.post(
        f"/api/v1/people/{w.maya.id}/consents/",
        payload(w, decision="refused", valid_from=days(-5).isoformat(), valid_until=days(-1).isoformat()),
    )
    assert visible(w.sam, w.case)[sw.health.id] == "consent"


def test_the_api_state_of_each_decision_follows_the_latest_in_force(world):
    client = api_as(world.maya.user)
    url = f"/api/v1/people/{world.maya.id}/consents/"
    first = client.post(url, payload(world)).json()
    assert first["state"] == "shared"
    refused = client.post(url, payload(world, decision="refused")).json()
    assert refused["state"] == "refused"
    later = client.post(url, payload(world, valid_from=days(3).isoformat())).json()
    assert later["state"] == "not_yet"
    old = client.post(
        url, payload(world, category="mental_health", valid_from=days(-9).isoformat(), valid_until=days(-2).isoformat())
    ).json()
    assert old["state"] == "expired"
    states = {c["id"]: c["state"] for c in client.get(url).json()["results"]}
    assert states == {first["id"]: "superseded", refused["id"]: "refused", later["id"]: "not_yet", old["id"]: "expired"}
    withdrawn = client.post(url, payload(world, category="housing")).json()
    assert client.post(f"/api/v1/consents/{withdrawn['id']}/withdraw/").json()["state"] == "withdrawn"


def test_the_case_grid_and_the_persons_page_say_refused_after_a_later_refusal(world):
    api_as(world.nia.user).post(f"/api/v1/people/{world.maya.id}/consents/", payload(world))
    api_as(world.maya.user).post(f"/api/v1/people/{world.maya.id}/consents/", payload(world, decision="refused"))
    from sharing import selectors

    grid = selectors.person_consent_grid(user=world.maya.user, person=world.maya)
    cell = dict(next(r for r in grid.rows if r.category == "health").cells)[world.social]
    assert cell == "refused"
    (case_grid,) = selectors.consent_grid(user=world.sam.user, case=world.case)
    assert dict(next(r for r in case_grid.rows if r.category == "health").cells)[world.social] == "refused"
    page = Client()
    page.force_login(world.maya.user)
    html = page.get("/portal/information/").content.decode()  # the person's own page (portal)
    social = html.split(world.social.name.replace("'", "&#x27;"), 1)[1]
    assert "They cannot see it. You said no." in social and "You said yes" not in social


def test_the_grid_says_withdrawn_then_shared_again(world):
    client = api_as(world.maya.user)
    url = f"/api/v1/people/{world.maya.id}/consents/"
    given = client.post(url, payload(world)).json()
    client.post(f"/api/v1/consents/{given['id']}/withdraw/")
    from sharing import selectors

    def cell():
        grid = selectors.person_consent_grid(user=world.maya.user, person=world.maya)
        return dict(next(r for r in grid.rows if r.category == "health").cells)[world.social]

    assert cell() == "withdrawn"
    client.post(url, payload(world))
    assert cell() == "shared"


# --- Finding 3: nobody reviews their own override -------------------------------------------


def test_an_ig_lead_who_takes_an_override_is_not_its_reviewer(world):
    # sue is social's IG lead and team lead on the case; with no other IG lead in her agency
    # the review goes to the IG lead of the lead professional's agency (sam's: social, sue
    # again), so to the administrators' queue.
    access = override(world, world.sue, "health")
    assert access.reviewer_id != world.sue.id
    assert access.reviewer is None and access.review_by_admins
    response = api_as(world.sue.user).post(
        f"/api/v1/safeguarding-access/{access.id}/review/", {"outcome": "justified", "person_may_be_told": False}
    )
    assert response.status_code == 403
    assert SafeguardingAccess.objects.get(pk=access.pk).outcome == ""


def test_the_review_goes_to_another_ig_lead_of_the_holders_agency(world):
    agency_services.professional_update(professional=world.oz, is_information_governance_lead=True, actor=world.admin)
    access = override(world, world.sue, "health")
    assert access.reviewer == world.oz


def test_the_review_goes_to_the_lead_professionals_agency_when_the_holder_is_their_agencys_only_ig_lead(world):
    health_case = world.case
    health_case.lead_professional = world.nia  # a case led from health
    health_case.save(update_fields=["lead_professional"])
    access = override(world, world.sue, "health")
    assert access.reviewer == world.ivy


def test_the_api_answers_a_reviewer_never_null_and_never_the_holder(world):
    response = api_as(world.sue.user).post(
        f"/api/v1/cases/{world.case.id}/safeguarding-access/",
        {"category": "health", "lawful_basis": "child_at_risk", "justification": JUSTIFICATION},
    )
    assert response.status_code == 201
    assert response.json()["reviewer"] == "admins"
    taken_by_nia = api_as(world.nia.user).post(
        f"/api/v1/cases/{world.case.id}/safeguarding-access/",
        {"category": "social_care", "lawful_basis": "child_at_risk", "justification": JUSTIFICATION},
    )
    assert taken_by_nia.json()["reviewer"] == str(world.ivy.id)


def test_only_the_assigned_reviewer_or_an_admin_may_review(world):
    access = override(world, world.nia, "social_care")
    url = f"/api/v1/safeguarding-access/{access.id}/review/"
    body = {"outcome": "justified", "person_may_be_told": True, "note": "Proportionate."}
    for outsider in (world.nia, world.hal, world.sue, world.sam):
        assert api_as(outsider.user).post(url, body).status_code == 403
    response = api_as(world.ivy.user).post(url, body)
    assert response.status_code == 200
    review = response.json()["review"]
    assert (review["outcome"], review["person_may_be_told"], review["reviewed_by"]) == (
        "justified",
        True,
        str(world.ivy.id),
    )
    assert AuditEvent.objects.filter(action="cases.override.reviewed", subject_id=access.id).count() == 1


def test_an_admin_reviews_an_override_in_the_administrators_queue(world):
    access = override(world, world.sue, "health")
    response = api_as(world.admin).post(
        f"/api/v1/safeguarding-access/{access.id}/review/", {"outcome": "not_justified", "person_may_be_told": False}
    )
    assert response.status_code == 200
    assert response.json()["review"]["outcome"] == "not_justified"


def test_the_review_lists_exactly_the_records_opened_under_the_override(sw):
    w = sw.w
    access = override(w, w.sam, "health")
    other_health = write(w, w.nia, "health")
    unread = write(w, w.nia, "health")
    own = write(w, w.sam, "social_care")
    client = api_as(w.sam.user)
    for record in (sw.health, other_health, sw.health, own):
        assert client.get(f"/api/v1/records/{record.id}/").status_code == 200
    detail = api_as(w.sue.user).get(f"/api/v1/safeguarding-access/{access.id}/")  # social's IG lead
    assert detail.status_code == 200
    body = detail.json()
    opened = body["records_opened"]
    assert sorted({o["record"] for o in opened}) == sorted({str(sw.health.id), str(other_health.id)})
    assert len(opened) == 3  # sw.health twice, each with its time
    assert all(o["category"] == "health" and o["at"] for o in opened)
    assert str(unread.id) not in {o["record"] for o in opened}
    assert (body["lawful_basis"], body["justification"], body["reviewer"]) == (
        "child_at_risk",
        JUSTIFICATION,
        str(w.sue.id),
    )
    assert body["review"] is None
    page = Client()
    page.force_login(w.sue.user)
    html = page.get(f"/governance/reviews/{access.id}/").content.decode()
    assert "3 reads of records under this override" in html and JUSTIFICATION in html
    opened_page = page.get(f"/governance/overrides/{access.id}/records/").content.decode()
    assert opened_page.count("<td>Opened</td>") == 3 and "Health" in opened_page
    assert "Social care" not in opened_page  # sam's own record was not read under the override


def test_the_override_list_shows_what_the_caller_holds_or_must_review(world):
    held = override(world, world.nia, "social_care")
    assert [a["id"] for a in api_as(world.nia.user).get("/api/v1/safeguarding-access/").json()["results"]] == [
        str(held.id)
    ]
    pending = api_as(world.ivy.user).get("/api/v1/safeguarding-access/?review=pending").json()["results"]
    assert [a["id"] for a in pending] == [str(held.id)]
    assert api_as(world.oz.user).get("/api/v1/safeguarding-access/").json()["count"] == 0
    assert api_as(world.oz.user).get(f"/api/v1/safeguarding-access/{held.id}/").status_code == 404


def test_the_agency_api_keeps_information_governance_lead_working(world):
    response = api_as(world.admin).patch(
        f"/api/v1/agencies/{world.social.id}/", {"information_governance_lead": str(world.oz.id)}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["information_governance_lead"] == str(world.oz.id)
    access = sharing_services.safeguarding_access_take(
        case=world.case,
        category="health",
        lawful_basis="child_at_risk",
        justification=JUSTIFICATION,
        actor=world.sue.user,
    )
    assert access.reviewer == world.oz
