"""403, 404 and 500 answer in the site's layout, with navigation, a plain explanation and a way back;
the 404 says the item may not exist or may not be shared, so it leaks nothing."""

import re
import uuid

import pytest
from django.test import Client, override_settings
from django.urls import path

from coordination.urls import urlpatterns as site_urlpatterns


def boom(request):
    raise RuntimeError("an unexpected fault")


urlpatterns = [path("boom/", boom), *site_urlpatterns]


@pytest.fixture
def nia(world):
    client = Client()
    client.force_login(world.nia.user)
    return client


def test_a_case_you_may_not_see_answers_404_in_the_layout_with_navigation(world):
    client = Client()
    client.force_login(world.oz.user)  # oz is on no case of the world
    for url in (f"/cases/{world.case.id}/", f"/cases/{uuid.uuid4()}/", "/no-such-page/"):
        response = client.get(url)
        assert response.status_code == 404
        html = response.content.decode()
        assert "<h1>Page not found</h1>" in html
        assert "may not exist, or it may not be shared with you" in html
        assert 'aria-label="Main"' in html and 'href="/"' in html  # the navigation and a way back to My work

    # The existing case and the random id read the same: nothing tells them apart.
    def page(url):  # the page without its per-response CSRF tokens and CSP nonces
        html = client.get(url).content.decode()
        return re.sub(r'("X-CSRFToken": |name="csrfmiddlewaretoken" value=|nonce=)"[^"]+"', "", html)

    assert page(f"/cases/{world.case.id}/") == page(f"/cases/{uuid.uuid4()}/")


def test_a_refused_action_answers_403_in_the_layout_with_the_reason(world, nia):
    response = nia.get(f"/cases/{world.case.id}/team/add/")  # nia contributes; only managers change the team
    assert response.status_code == 403
    html = response.content.decode()
    assert "<h1>You cannot do this</h1>" in html
    assert "You can see this case but not do that." in html
    assert 'href="/"' in html


def test_a_service_users_way_back_is_their_plan(world):
    client = Client()
    client.force_login(world.maya.user)
    response = client.get(f"/cases/{uuid.uuid4()}/")
    assert response.status_code == 404
    assert 'href="/portal/"' in response.content.decode()


@override_settings(ROOT_URLCONF=__name__)
def test_a_server_error_answers_500_in_the_layout_with_a_way_back(db):
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "<h1>Sorry, something went wrong</h1>" in html
    assert "an unexpected fault" not in html  # no internals shown
    assert 'class="ju-header"' in html
