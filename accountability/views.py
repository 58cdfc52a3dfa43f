"""Notifications, reminder settings and the calendar feed. Thin: validate, call
one selector or service, render."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from accountability import selectors, services
from accountability.calendar import calendar_feed
from accountability.models import ReminderDelivery
from agencies.models import Professional
from agencies.selectors import professional_for


def _me(request: HttpRequest) -> Professional:
    professional = professional_for(request.user)
    if professional is None:
        raise Http404("Notifications are for professionals.")
    return professional


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    unread_only = request.GET.get("show") == "unread"
    page = Paginator(selectors.notification_list_for(professional=me, unread_only=unread_only), 25).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "accountability/notification_list.html",
        {
            "page": page,
            "rows": selectors.notification_rows(professional=me, notifications=page.object_list),
            "page_range": page.paginator.get_elided_page_range(page.number),
            "unread_only": unread_only,
            "query": "show=unread" if unread_only else "",
            "section": "notifications",
        },
    )


@login_required
@require_POST
def notification_read(request: HttpRequest, notification_id: str) -> HttpResponse:
    """Mark one read; with `open`, go on to the item it is about."""
    me = _me(request)
    services.notification_mark_read(professional=me, notification_id=notification_id, actor=request.user)
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("accountability:notification_list")


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    n = services.notifications_mark_all_read(professional=_me(request), actor=request.user)
    messages.success(request, f"Marked {n} notification{'s' if n != 1 else ''} as read.")
    return redirect("accountability:notification_list")


class ReminderSettingsForm(forms.Form):
    reminder_delivery = forms.ChoiceField(
        label="How should we e-mail you about reminders?",
        choices=ReminderDelivery.choices,
        widget=forms.RadioSelect,
        help_text="You always see reminders here in JoinedUp. E-mails never name anyone or quote a case.",
    )


@login_required
def reminder_settings(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    # The calendar secret is issued on the first visit to this page (a settings row with defaults).
    current = services.reminder_settings_for(professional=me)
    form = ReminderSettingsForm(request.POST or None, initial={"reminder_delivery": current.delivery})
    if request.method == "POST" and form.is_valid():
        services.reminder_delivery_set(
            professional=me, delivery=form.cleaned_data["reminder_delivery"], actor=request.user
        )
        messages.success(request, "Your reminder settings are saved.")
        return redirect("accountability:reminder_settings")
    feed_url = request.build_absolute_uri(reverse("accountability:calendar_feed", args=[current.calendar_token]))
    return render(
        request,
        "accountability/reminder_settings.html",
        {"form": form, "feed_url": feed_url, "section": "notifications"},
    )


@login_required
@require_POST
def calendar_reset(request: HttpRequest) -> HttpResponse:
    services.calendar_token_reset(professional=_me(request), actor=request.user)
    messages.success(request, "Your calendar address has changed. The old address no longer works.")
    return redirect("accountability:reminder_settings")


@require_GET
def calendar(request: HttpRequest, token: str) -> HttpResponse:
    """The secret per-user feed: no session (calendar apps cannot sign in); the token is the key."""
    me = selectors.professional_by_calendar_token(token=token)
    if me is None:
        raise Http404("No such calendar.")
    body = calendar_feed(
        items=selectors.accountable_items_for(professional=me),
        owner_id=str(me.id),
        events=selectors.calendar_events_for(professional=me),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    # Personal data: no browser, proxy or calendar client may keep a copy (docs/decisions/0035).
    response["Cache-Control"] = "no-store"
    response["Content-Disposition"] = 'inline; filename="joinedup.ics"'
    return response
