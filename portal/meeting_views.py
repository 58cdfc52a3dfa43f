"""The family's side of a meeting, in the portal: the meetings they are invited to, their own view
(the same questions in plain words, a 0-10 face scale), sealed like every view until the chair opens
the meeting, and after it closes the plain summary. Never the professionals' views, decisions or
minutes. Reads and writes go through meetings.selectors and meetings.services.

Floor 7 (portal). May use: meetings and the floors below.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from meetings import selectors
from meetings.forms import FamilyViewForm
from meetings.models import MeetingStatus
from meetings.views import view_form
from portal.selectors import person_for


@login_required
def meeting_list(request: HttpRequest) -> HttpResponse:
    person = person_for(request.user)
    if person is None:
        raise PermissionDenied("The portal is for the people a case is about.")
    return render(request, "portal/meetings.html", {"meetings": selectors.family_meetings(person=person)})


@login_required
@require_http_methods(["GET", "POST"])
def meeting_page(request: HttpRequest, meeting_id: str) -> HttpResponse:
    meeting, _person, view = selectors.family_meeting_read(user=request.user, meeting_id=meeting_id, request=request)
    editable = meeting.status == MeetingStatus.SCHEDULED
    form, saved = view_form(
        request,
        meeting=meeting,
        form_class=FamilyViewForm,
        read=lambda: view,
        saved=gettext("Thank you. Your view is saved. Nobody reads it before the meeting starts."),
    )
    if saved:
        return redirect("portal_meetings:meeting", meeting_id=meeting.id)
    return render(
        request,
        "portal/meeting.html",
        {"meeting": meeting, "form": form, "editable": editable, "given": view is not None},
    )
