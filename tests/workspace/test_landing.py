"""Where people land after signing in (issue 11, found 7): an information-governance lead
with overrides waiting for review lands on her review queue, not on an empty My work; an
agency administrator is offered the administration pages."""

import time
from urllib.parse import parse_qs, urlsplit

from django.contrib.auth import get_user_model
from django_otp.plugins.otp_totp.models import TOTPDevice

from agencies import services as agency_services
from tests.auth.totp import code_now
from tests.sharing.conftest import override

LOGIN = "/accounts/login/"
VERIFY = "/accounts/two-factor/verify/"


def _sign_in(client, world, username, **extra):
    """Both steps, as with REQUIRE_2FA on: the password, then the app's code; the answer of the
    last step (where it sends the user)."""
    user = get_user_model().objects.get(username=username)
    device = TOTPDevice.objects.get_or_create(user=user, name="Authenticator app", defaults={"confirmed": True})[0]
    response = client.post(LOGIN, {"username": username, "password": world.password, **extra})
    if response.status_code != 302 or not response["Location"].startswith(VERIFY):
        return response
    next_url = parse_qs(urlsplit(response["Location"]).query).get("next", [""])[0]
    device.refresh_from_db()
    # a code is good once: a second sign-in in the same 30 seconds takes the app's next one
    step = 1 if device.last_t >= int(time.time() - device.t0) // device.step else 0
    return client.post(VERIFY, {"code": code_now(device, offset_steps=step), "next": next_url})


def test_an_ig_lead_with_pending_reviews_lands_on_the_review_queue(world, client):
    override(world, world.nia, "social_care")  # ivy (health's IG lead) must review it
    response = _sign_in(client, world, "ivy")
    assert response["Location"] == "/governance/reviews/"
    assert "Safeguarding override reviews" in client.get(response["Location"]).content.decode()


def test_an_ig_lead_with_nothing_to_review_lands_on_my_work(world, client):
    assert _sign_in(client, world, "ivy")["Location"] == "/"


def test_a_reviewed_override_no_longer_sends_her_to_the_queue_and_next_still_wins(world, client):
    from sharing import services as sharing_services

    access = override(world, world.nia, "social_care")
    case_url = f"/cases/{world.case.id}/"
    assert _sign_in(client, world, "ivy", next=case_url)["Location"] == case_url
    sharing_services.safeguarding_review_record(
        access=access, outcome="justified", person_may_be_told=False, notes="", actor=world.ivy.user
    )
    client.logout()
    assert _sign_in(client, world, "ivy")["Location"] == "/"


def test_the_holder_of_an_override_is_not_sent_to_review_it(world, client):
    override(world, world.ivy, "social_care")  # ivy holds it: she never reviews her own
    assert _sign_in(client, world, "ivy")["Location"] == "/"


def test_an_agency_administrator_gets_a_link_to_administration_that_works(world, client):
    agency_services.professional_update(professional=world.hal, is_agency_admin=True, actor=world.admin)
    client.force_login(world.hal.user)
    assert '<a href="/admin/">Administration</a>' in client.get("/").content.decode()
    assert client.get("/admin/").status_code == 200
    agency_services.professional_update(professional=world.hal, is_agency_admin=False, actor=world.admin)
    assert "Administration" not in client.get("/").content.decode()
    client.force_login(world.nia.user)
    assert "Administration" not in client.get("/").content.decode()


def test_a_new_agency_administrator_is_staff(world):
    rae = agency_services.professional_create(
        username="rae",
        password=world.password,
        given_name="Rae",
        family_name="Tester",
        agency=world.health,
        profession="manager",
        is_agency_admin=True,
        actor=world.admin,
    )
    assert rae.user.is_staff and not rae.user.is_superuser
