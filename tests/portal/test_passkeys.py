"""Passkeys for service users (issue 12 "Sign in", issue 10 "Service users may enrol, and are not
forced to"): the portal's "How you sign in" page, in plain words, adds a passkey (django-otp-webauthn's
registration, its script under the CSP nonce) and removes one after asking; only the account's own
passkeys; a stolen password alone removes nothing; a service user is never made to have one."""

import itertools
import re

import pytest
from django.test import Client
from django_otp_webauthn.models import WebAuthnCredential

from agencies import accounts
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db
_ids = itertools.count(1)


def passkey_for(user):
    n = next(_ids)
    return WebAuthnCredential.objects.create(
        user=user,
        name="Passkey",
        confirmed=True,
        credential_id=bytes([n]) * 16,
        public_key=b"\x02" * 32,
        sign_count=0,
        backup_eligible=False,
        backup_state=False,
    )


def test_the_sign_in_page_is_linked_from_the_portal_and_offers_a_passkey(world, as_user):
    client = as_user("maya")
    home = client.get("/portal/").content.decode()
    assert 'href="/portal/sign-in/"' in home and "How you sign in" in home
    response = client.get("/portal/sign-in/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "You do not have a passkey yet." in page and "Add a passkey" in page
    assert "It is up to you." in page
    # the library's registration script and ours: files (or JSON data), never inline script
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    tags = [tag.split(">", 1)[0] for tag in page.split("<script")[1:]]
    assert any("otp_webauthn" in tag for tag in tags) and any("passkeys.js" in tag for tag in tags)
    for head in tags:
        assert "src=" in head or 'type="application/json"' in head, head
    assert any("passkeys.js" in tag and f'nonce="{nonce}"' in tag for tag in tags)


def test_a_service_user_is_never_made_to_have_a_second_factor(world):
    assert accounts.two_factor_required(world.maya.user) is False
    c = Client()
    response = c.post("/accounts/login/", {"username": "maya", "password": world.password})
    assert response.status_code == 302 and response["Location"] == "/portal/"


def test_a_passkey_is_listed_and_removed_after_asking(world, as_user):
    passkey = passkey_for(world.maya.user)
    client = as_user("maya")
    page = client.get("/portal/sign-in/").content.decode()
    assert "Passkey added on" in page and f"/portal/sign-in/passkeys/{passkey.pk}/remove/" in page
    confirm = client.get(f"/portal/sign-in/passkeys/{passkey.pk}/remove/")
    assert confirm.status_code == 200 and "Yes, remove it" in confirm.content.decode()
    assert WebAuthnCredential.objects.filter(pk=passkey.pk).exists()  # asking removes nothing
    done = client.post(f"/portal/sign-in/passkeys/{passkey.pk}/remove/")
    assert done.status_code == 302 and done["Location"] == "/portal/sign-in/"
    assert not WebAuthnCredential.objects.filter(pk=passkey.pk).exists()
    assert AuditEvent.objects.filter(
        action="agencies.second_factor.passkey_removed", actor_user_id=world.maya.user.pk
    ).exists()
    assert "You do not have a passkey yet." in client.get("/portal/sign-in/").content.decode()


def test_someone_elses_passkey_is_404_and_stays(world, family, as_user):
    zeds = passkey_for(family.zed.user)
    client = as_user("maya")
    for url in (f"/portal/sign-in/passkeys/{zeds.pk}/remove/", "/portal/sign-in/passkeys/nope/remove/"):
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404
    assert WebAuthnCredential.objects.filter(pk=zeds.pk).exists()
    assert accounts.passkey_remove(user=world.maya.user, passkey_id=zeds.pk) is False


def test_a_password_alone_removes_no_passkey(world):
    passkey = passkey_for(world.maya.user)
    c = Client()
    c.force_login_password_only(world.maya.user)
    response = c.post(f"/portal/sign-in/passkeys/{passkey.pk}/remove/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/two-factor/verify/")
    assert WebAuthnCredential.objects.filter(pk=passkey.pk).exists()
    assert c.get("/portal/sign-in/")["Location"].startswith("/accounts/two-factor/verify/")


def test_a_proxy_manages_only_their_own_passkeys(world, family, as_user):
    from cases import services as case_services

    case_services.proxy_link(
        person=world.maya, username="ada", scope="plan", valid_until=world.goal.target_date, actor=world.sam.user
    )
    ada = as_user("ada")
    assert ada.get(f"/portal/for/{world.maya.id}/sign-in/").status_code == 404
    assert ada.get("/portal/sign-in/").status_code == 200
    page = ada.get(f"/portal/for/{world.maya.id}/").content.decode()
    assert "/portal/sign-in/" not in page
