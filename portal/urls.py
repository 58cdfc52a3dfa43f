from collections.abc import Callable
from typing import Any

from django.urls import path

from portal import language, views

app_name = "portal"

# Each page of the person's own portal, and the same page of a person they are a proxy for.
_PAGES: list[tuple[str, Callable[..., Any], str]] = [
    ("", views.home, "home"),
    ("workers/", views.workers, "workers"),
    ("messages/", views.messages_page, "messages"),
    ("say/", views.say, "say"),
    ("information/", views.information, "information"),
    ("information/change/", views.information_change, "information_change"),
    ("information/confirm/", views.information_confirm, "information_confirm"),
    ("information/<str:consent_id>/withdraw/", views.information_withdraw, "information_withdraw"),
    ("looked/", views.looked, "looked"),
    ("copy/", views.copy, "copy"),
]

urlpatterns = [
    path("welcome/<str:uidb64>/<str:token>/", views.welcome, name="welcome"),
    # The signed-in account's own passkeys (never under for/: a proxy manages only their own).
    path("sign-in/", views.sign_in, name="sign_in"),
    path("sign-in/passkeys/<str:passkey_id>/remove/", views.passkey_remove, name="passkey_remove"),
    path("language/", language.language_choose, name="language"),
    *[path(route, view, name=name) for route, view, name in _PAGES],
    *[path(f"for/<str:person_id>/{route}", view, name=f"{name}_for") for route, view, name in _PAGES],
]
