"""A service user (and a proxy) reaches their own portal and nothing else: every other
URL pattern of the project, tried with other people's ids, answers 404 (issue 12: a
service user asking for another person's case got 403)."""

import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from cases import services as case_services
from portal.isolation import PORTAL_NAMES
from tests.factories import api_token_for

# The person's own pages without ids, and sign-in plumbing: not about anyone else.
OWN = {"api:me", "api:auth-token", "login", "logout", "password_change", "password_change_done", "healthz"}
OWN |= {"workspace:my_work"}  # the site's root: sends a portal account to /portal/
# Signing in's own steps, which a service user who enrolled a second factor takes too (no ids, no
# one else's data): the code, enrolling, recovery codes, the idle warning, passkeys' JSON steps.
OWN |= {name for name in PORTAL_NAMES if name.startswith("workspace:")}
OWN |= {f"otp_webauthn:{n}" for n in ("credential-registration-begin", "credential-registration-complete")}
OWN |= {f"otp_webauthn:{n}" for n in ("credential-authentication-begin", "credential-authentication-complete")}
OWN |= {"otp_webauthn:js-i18n-catalog"}
# The API's public contract (schema and its docs page) answers anyone holding a token alike.
PUBLIC = {"api:schema", "api:docs"}


def _patterns(patterns, namespace="", prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            if str(p.pattern).startswith("admin/"):
                continue
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _patterns(p.url_patterns, ns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield f"{namespace}{p.name}" if p.name else str(p.pattern), prefix + str(p.pattern)


def _fill(route, ids):
    import re

    def value(match):
        name = match.group(2)
        return str(ids.get(name, uuid.uuid4()))

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", value, route)


@pytest.fixture
def other_ids(world, family):
    """Real ids of Zed's: his case, consent, passkey and a meeting his family is invited to."""
    import datetime

    from django.utils import timezone
    from django_otp_webauthn.models import WebAuthnCredential

    from meetings import services as meeting_services

    case_services.assignment_add(case=family.other, professional=world.hal, role="contributor", actor=world.oz.user)
    start = timezone.now() + datetime.timedelta(days=3)
    meeting = meeting_services.meeting_schedule(
        case=family.other,
        kind="core_group",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=1),
        location="Zed's room",
        chair=world.oz,
        note_taker=world.hal,
        invitees=[],
        family_invited=True,
        views_due_at=start - datetime.timedelta(days=1),
        actor=world.oz.user,
    )
    passkey = WebAuthnCredential.objects.create(
        user=family.zed.user,
        name="Passkey",
        confirmed=True,
        credential_id=b"\x07" * 16,
        public_key=b"\x02" * 32,
        sign_count=0,
        backup_eligible=False,
        backup_state=False,
    )
    return {
        "case_id": family.other.id,
        "person_id": family.zed.id,
        "meeting_id": meeting.id,
        "passkey_id": passkey.pk,
        "consent_id": family.zed_consent.id,
        "proxy_id": uuid.uuid4(),
        "action": "freeze",
        "uidb64": "MTIz",
        "token": "nope",
    }


def _routes():
    return sorted(set(_patterns(get_resolver().url_patterns)))


def test_every_url_with_other_peoples_ids_answers_404_to_a_service_user(world, family, other_ids, as_user):
    session = as_user("maya")
    token = APIClient()
    token.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(world.maya.user)}")
    tried = 0
    for name, route in _routes():
        own_page = name.startswith(("portal:", "portal_meetings:", "api:me-")) and "<" not in route
        if name in OWN or name in PUBLIC:
            continue
        if own_page:  # the person's own page; in the API someone else's ?person= is 404
            if route.startswith("api/"):
                for client in (session, token):
                    assert client.get(f"/{route}?person={family.zed.id}").status_code in (404, 405), name
            continue
        url = _fill(route, other_ids)
        clients = [session, token] if route.startswith("api/") else [session]
        for client in clients:
            answers = {method: getattr(client, method)(url).status_code for method in ("get", "post")}
            # 405 (a method the path does not offer) says nothing of the ids; the other answers 404
            assert set(answers.values()) <= {404, 405} and 404 in answers.values(), (name, url, answers)
            tried += 1
    assert tried > 80


def test_a_proxy_reaches_the_linked_persons_portal_and_no_one_elses(world, family, other_ids, as_user):
    case_services.proxy_link(
        person=world.maya, username="ada", scope="plan", valid_until=world.goal.target_date, actor=world.sam.user
    )
    ada = as_user("ada")
    assert ada.get(f"/portal/for/{world.maya.id}/").status_code == 200
    assert ada.get(f"/portal/for/{world.maya.id}/meetings/").status_code == 200
    assert ada.get(f"/portal/for/{family.zed.id}/").status_code == 404
    assert ada.get(f"/portal/for/{family.zed.id}/meetings/").status_code == 404
    assert ada.get(f"/portal/for/{world.maya.id}/sign-in/").status_code == 404  # her own passkeys only
    assert ada.get(f"/portal/for/{uuid.uuid4()}/").status_code == 404
    assert ada.get(f"/cases/{world.case.id}/").status_code == 404
    api = as_user("ada", api=True)
    assert api.get(f"/api/v1/me/plan/?person={world.maya.id}").status_code == 200
    assert api.get(f"/api/v1/me/plan/?person={family.zed.id}").status_code == 404
    # plan-only scope: no consents of Maya's
    assert api.get(f"/api/v1/people/{world.maya.id}/consents/").status_code == 404


def test_a_frozen_or_expired_proxy_gets_404_everywhere(world, family, as_user):
    proxy = case_services.proxy_link(
        person=world.maya,
        username="ada",
        scope="plan_and_consents",
        valid_until=world.goal.target_date,
        actor=world.sam.user,
    )
    ada = as_user("ada")
    api = as_user("ada", api=True)
    assert ada.get(f"/portal/for/{world.maya.id}/").status_code == 200
    case_services.proxy_freeze(proxy=proxy, actor=world.sam.user)
    for path in ("", "workers/", "messages/", "say/", "information/", "looked/", "information/change/", "meetings/"):
        assert ada.get(f"/portal/for/{world.maya.id}/{path}").status_code == 404, path
    assert api.get(f"/api/v1/me/plan/?person={world.maya.id}").status_code == 404
    assert api.get(f"/api/v1/people/{world.maya.id}/consents/").status_code == 404
    expired = case_services.proxy_link(
        person=world.maya, username="ada", scope="plan", valid_until=world.goal.target_date, actor=world.sam.user
    )
    type(expired).objects.filter(pk=expired.pk).update(valid_until=world.case.opened_at.date().replace(year=2000))
    assert ada.get(f"/portal/for/{world.maya.id}/").status_code == 404


def test_the_allow_list_names_only_the_persons_own_paths():
    """Adding a professional path here would open it to every portal account: a reviewer must see it."""
    assert {
        "login",
        "logout",
        "password_change",
        "password_change_done",
        "healthz",
        "workspace:my_work",
        "workspace:two_factor_setup",
        "workspace:two_factor_verify",
        "workspace:recovery_codes",
        "workspace:session_status",
        "workspace:session_extend",
        "api:me",
        "api:auth-token",
        "api:person-consents",
        "api:consent-withdraw",
        "api:meeting-my-view",
    } == PORTAL_NAMES
