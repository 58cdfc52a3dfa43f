"""Sign-in pages: the password step (SignInView), the second step (a code from an authenticator
app or a recovery code), enrolling an authenticator app with a QR code drawn on the server
(segno: no outside service sees the secret), recovery codes, and extending a session before its
idle time-out. The rules and every write are in agencies.accounts.

Floor 6 (workspace). May use every floor below.
"""

from __future__ import annotations

import time
from typing import Any

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST
from django_otp import login as otp_login

from agencies import accounts
from agencies.accounts import SECOND_FACTOR_DUE
from agencies.selectors import professional_for
from workspace import selectors
from workspace.middleware import session_ends_at, session_touch


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=32,
        help_text="The 6-digit code your authenticator app shows now, or one of your recovery codes.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}),
    )


class SignInView(LoginView):
    """Django's sign-in (password step); professionals land on My work, service users on their
    portal. Where a second factor is due the next step asks for it first (or enrols one)."""

    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "require_2fa": settings.REQUIRE_2FA}

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)  # signs in: a new session key, the clocks start
        if self.request.session.get(SECOND_FACTOR_DUE):
            step = "workspace:two_factor_verify" if accounts.has_second_factor(self.request.user) else None
            step = step or "workspace:two_factor_setup"
            return HttpResponseRedirect(_with_next(reverse(step), response["Location"]))
        return response

    def get_default_redirect_url(self) -> str:
        return _landing(self.request)


def _landing(request: HttpRequest) -> str:
    """Service users land on their portal; an information-governance lead (or admin) with
    overrides waiting for their review on the review queue; others on My work."""
    user = request.user
    if professional_for(user) is None and hasattr(user, "person"):
        return reverse("portal:home")
    if selectors.has_pending_reviews(user=user):
        return reverse("sharing:review_queue")
    return reverse("workspace:my_work")


def _with_next(url: str, next_url: str) -> str:
    from urllib.parse import urlencode

    return f"{url}?{urlencode({'next': next_url})}"


def _next(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return _landing(request)


def _verified(request: HttpRequest, device: Any) -> None:
    """The second factor is verified: remember it in the session, under a new session key."""
    otp_login(request, device)
    request.session.pop(SECOND_FACTOR_DUE, None)
    request.session.cycle_key()


@login_required
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: a code from the app, or a recovery code (used up)."""
    if not accounts.has_second_factor(request.user):
        return HttpResponseRedirect(_with_next(reverse("workspace:two_factor_setup"), _next(request)))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = accounts.second_factor_verify(user=request.user, code=form.cleaned_data["code"])
        if device is not None:
            _verified(request, device)
            left = accounts.recovery_codes_left(request.user)
            if device.__class__.__name__ == "StaticDevice":
                messages.warning(request, f"You used a recovery code: {left} left. Make new ones if you are low.")
            return HttpResponseRedirect(_next(request))
        form.add_error("code", "This code is wrong or has expired. Wait for a new code and try again.")
    context = {"form": form, "next": _next(request), "has_passkey": bool(accounts.passkeys_of(request.user))}
    return render(request, "registration/two_factor_verify.html", context)


@login_required
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Your second factors: enrol an authenticator app (scan the QR code, type its first code),
    make recovery codes. A session that has not verified an existing factor verifies it first."""
    user = request.user
    if accounts.has_second_factor(user) and not accounts.session_is_verified(user):
        return HttpResponseRedirect(_with_next(reverse("workspace:two_factor_verify"), request.get_full_path()))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = accounts.totp_enrolment_confirm(user=user, code=form.cleaned_data["code"], request=request)
        if device is not None:
            _verified(request, device)
            codes = accounts.recovery_codes_issue(user=user, request=request)
            messages.success(request, "Your authenticator app is set up.")
            return render(request, "registration/recovery_codes.html", {"codes": codes, "next": _next(request)})
        form.add_error("code", "This code does not match. Check the app shows JoinedUp and try the new code.")
    device = accounts.totp_enrolment_start(user=user)
    qr = segno.make(device.config_url, error="m")
    context = {
        "form": form,
        "next": _next(request),
        "qr_svg": mark_safe(qr.svg_inline(scale=5, dark="#0b0c0c", title="QR code for your authenticator app")),  # noqa: S308
        "secret": _grouped(device.key),
        "has_app": accounts.totp_device_of(user) is not None,
        "passkeys": accounts.passkeys_of(user),
        "codes_left": accounts.recovery_codes_left(user),
        "required": accounts.two_factor_required(user),
    }
    return render(request, "registration/two_factor_setup.html", context)


def _grouped(hex_key: str) -> str:
    """The secret as authenticator apps take it by hand: base32, in groups of four."""
    from base64 import b32encode

    text = b32encode(bytes.fromhex(hex_key)).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


@login_required
@require_POST
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """Ten new recovery codes (the old ones stop working), shown once."""
    if not accounts.session_is_verified(request.user):
        return HttpResponseRedirect(
            _with_next(reverse("workspace:two_factor_verify"), reverse("workspace:two_factor_setup"))
        )
    codes = accounts.recovery_codes_issue(user=request.user, request=request)
    return render(request, "registration/recovery_codes.html", {"codes": codes, "next": _landing(request)})


@require_GET
def session_status(request: HttpRequest) -> JsonResponse:
    """How long this session has left; asking does not count as activity (the page asks when its
    own countdown runs out, in case another tab kept the session going)."""
    if not request.user.is_authenticated:
        return JsonResponse({"detail": "Your session has ended."}, status=401)
    return JsonResponse({"seconds_left": max(0, session_ends_at(request) - int(time.time()))})


@require_POST
def session_extend(request: HttpRequest) -> JsonResponse:
    """The page's "Stay signed in": counts as activity and answers when the session now ends."""
    if not request.user.is_authenticated:
        return JsonResponse({"detail": "Your session has ended."}, status=401)
    session_touch(request, force=True)
    return JsonResponse({"seconds_left": max(0, session_ends_at(request) - int(time.time()))})


def locked_out(request: HttpRequest, original_response: Any = None, credentials: Any = None) -> HttpResponse:
    """django-axes' answer to a locked-out username or address (AXES_LOCKOUT_CALLABLE): 429, the
    same words whether or not the username exists, and never which of the two limits applied."""
    status = settings.AXES_HTTP_RESPONSE_CODE
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Too many failed sign-in attempts. Try again later."}, status=status)
    return render(request, "registration/locked_out.html", status=status)
