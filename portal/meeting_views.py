"""The family's side of a meeting, in the portal: the meetings they are invited to, their own view
(the same questions in plain words, a 0-10 face scale), sealed like every view until the chair opens
the meeting, and after it closes the plain summary. Never the professionals' views, decisions or
minutes. Reads and writes go through meetings.selectors and meetings.services. A proxy in force
(`/portal/for/<person id>/meetings/`) gives the family's view for the person they are linked to; a
frozen or expired one gets 404.

Floor 7 (portal). May use: meetings and the floors below.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from meetings import selectors
from meetings.forms import FamilyViewForm
from meetings.models import MeetingStatus
from meetings.views import view_form
from portal.selectors import person_for, portal_subject_for
from portal.views import _page


@login_required
def meeting_list(request: HttpRequest, person_id: str | None = None) -> HttpResponse:
    if person_for(request.user) is None:
        raise PermissionDenied("The portal is for the people a case is about.")
    person, _proxy = selectors.family_member_for(user=request.user, person_id=person_id)
    subject = portal_subject_for(user=request.user, person_id=person_id)
    return _page(request, "portal/meetings.html", subject, meetings=selectors.family_meetings(person=person))


@login_required
@require_http_methods(["GET", "POST"])
def meeting_page(request: HttpRequest, meeting_id: str, person_id: str | None = None) -> HttpResponse:
    page = selectors.family_meeting_read(user=request.user, meeting_id=meeting_id, person_id=person_id, request=request)
    meeting = page.meeting
    editable = meeting.status == MeetingStatus.SCHEDULED and not page.given_by_other
    form, saved = view_form(
        request,
        meeting=meeting,
        form_class=FamilyViewForm,
        read=lambda: page.view,
        saved=_("Thank you. Your view is saved. Nobody reads it before the meeting starts."),
        person_id=person_id,
    )
    if saved:
        return redirect(f"{_prefix(person_id)}meetings/{meeting.id}/")
    subject = portal_subject_for(user=request.user, person_id=person_id)
    return _page(
        request,
        "portal/meeting.html",
        subject,
        meeting=meeting,
        form=form,
        editable=editable,
        given=page.view is not None,
        given_by_other=page.given_by_other,
    )


def _prefix(person_id: str | None) -> str:
    return "/portal/" if person_id is None else f"/portal/for/{person_id}/"
