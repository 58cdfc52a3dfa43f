"""Signing in and out through the pages. The password step alone, as in the demo (REQUIRE_2FA
off); the second step and its enforcement are in tests/auth/test_two_factor.py."""

import pytest

LOGIN = "/accounts/login/"


@pytest.fixture(autouse=True)
def _password_alone_signs_in(settings):
    settings.REQUIRE_2FA = False


@pytest.mark.parametrize(("username", "landing"), [("nia", "/"), ("hal", "/"), ("maya", "/portal/")])
def test_sign_in_lands_professionals_on_my_work_and_service_users_on_their_portal(world, client, username, landing):
    response = client.post(LOGIN, {"username": username, "password": world.password})
    assert response.status_code == 302
    assert response["Location"] == landing
    assert client.get(landing).status_code == 200


def test_sign_in_honours_a_safe_next_page(world, client):
    case_url = f"/cases/{world.case.id}/"
    response = client.post(LOGIN, {"username": "sam", "password": world.password, "next": case_url})
    assert response["Location"] == case_url


def test_sign_in_ignores_a_next_page_on_another_site(world, client):
    response = client.post(LOGIN, {"username": "sam", "password": world.password, "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_wrong_password_shows_the_error_summary_and_keeps_the_username(world, client):
    response = client.post(LOGIN, {"username": "sam", "password": "wrong-password"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body
    assert 'value="sam"' in body
    assert "_auth_user_id" not in client.session


def test_sign_in_page_has_labelled_fields_and_one_heading(client, db):
    body = client.get(LOGIN).content.decode()
    assert '<label class="ju-label" for="id_username">' in body
    assert '<label class="ju-label" for="id_password">' in body
    assert body.count("<h1") == 1
    assert 'href="#main-content"' in body


def test_sign_out_is_a_post_and_ends_the_session(world, client):
    client.force_login(world.sam.user)
    body = client.get("/").content.decode()
    assert 'action="/accounts/logout/"' in body and 'method="post"' in body
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302  # back to sign-in


def test_anonymous_visitor_is_sent_to_sign_in_with_the_page_to_come_back_to(world, client):
    response = client.get(f"/cases/{world.case.id}/")
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next=/cases/{world.case.id}/"
