"""Password reset by e-mail is off (docs/decisions/0034): its URLs answer 404, nothing is mailed,
and the sign-in page says who resets a password."""

import pytest
from django.core import mail
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/accounts/password_reset/",
        "/accounts/password_reset/done/",
        "/accounts/reset/MQ/set-password/",
        "/accounts/reset/done/",
    ],
)
def test_password_reset_urls_do_not_exist(url):
    assert Client().get(url).status_code == 404


def test_posting_a_reset_request_mails_nothing(world):
    response = Client().post("/accounts/password_reset/", {"email": "nia@example.org"})
    assert response.status_code == 404
    assert mail.outbox == []


def test_the_sign_in_page_says_who_resets_a_password(db):
    page = Client().get("/accounts/login/").content.decode()
    assert "ask your agency's administrator" in page
    assert "JoinedUp does not reset passwords by e-mail" in page
    assert "password_reset" not in page
