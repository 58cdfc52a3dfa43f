"""The service user's own pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from portal.selectors import person_for, portal_plan


@login_required
def home(request: HttpRequest) -> HttpResponse:
    person = person_for(request.user)
    if person is None:
        raise PermissionDenied("The portal is for the people a case is about.")
    return render(
        request,
        "portal/home.html",
        {"person": person, "plans": portal_plan(person=person, user=request.user, request=request)},
    )
