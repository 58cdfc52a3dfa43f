"""/api/v1/ endpoints of meetings. Thin: selectors answer 404 (and audit reads), serializers
check types, meetings.services decide every right and rule.

Floor 6.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from agencies.api.base import IsProfessionalOrAdmin
from cases.api.views import CaseScoped
from cases.selectors import VIEW
from meetings import selectors, services
from meetings.api import serializers as s
from meetings.invitations import invitation_ics
from meetings.models import Decision, Meeting
from plans.selectors import goal_get_in_case

FAMILY_PERSON_PARAM = OpenApiParameter(
    "person", str, description="The family: a person you are a proxy for (default: yourself)."
)


def _req(request: Request) -> Any:
    return request._request


def _detail(request: Request, meeting_id: Any, code: int = status.HTTP_200_OK) -> Response:
    detail = selectors.meeting_detail(user=request.user, meeting_id=meeting_id, request=_req(request))
    return Response(s.meeting_detail_data(detail), status=code)


class CaseMeetingListView(CaseScoped):
    serializer_class = s.MeetingCreateSerializer
    queryset = Meeting.objects.none()

    @extend_schema(responses=OpenApiTypes.OBJECT, tags=["meetings"])
    def get(self, request: Request, case_id: str) -> Response:
        case = self.case_access(VIEW).case
        page = self.paginate_queryset(selectors.case_meetings(case=case))
        return self.get_paginated_response([s.meeting_summary(m) for m in page or []])

    @extend_schema(request=s.MeetingCreateSerializer, responses={201: OpenApiTypes.OBJECT}, tags=["meetings"])
    def post(self, request: Request, case_id: str) -> Response:
        case = self.case_access(VIEW).case
        data = s.MeetingCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        meeting = services.meeting_schedule(case=case, actor=request.user, **data.validated_data)
        return _detail(request, meeting.id, status.HTTP_201_CREATED)


class MeetingDetailView(generics.GenericAPIView):
    permission_classes = [IsProfessionalOrAdmin]
    serializer_class = s.MeetingUpdateSerializer
    queryset = Meeting.objects.none()

    @extend_schema(responses=OpenApiTypes.OBJECT, tags=["meetings"])
    def get(self, request: Request, meeting_id: str) -> Response:
        return _detail(request, meeting_id)

    @extend_schema(
        request=s.MeetingUpdateSerializer,
        responses=OpenApiTypes.OBJECT,
        tags=["meetings"],
        description="Change times, place, invitees (SEQUENCE rises); `status: cancelled` cancels; "
        "`attendance` ({professional id: present|apologies|absent}) while open.",
    )
    def patch(self, request: Request, meeting_id: str) -> Response:
        meeting, _ = selectors.meeting_get_for(user=request.user, meeting_id=meeting_id, request=_req(request))
        data = s.MeetingUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        cancel = v.pop("status", None) == "cancelled"
        attendance = v.pop("attendance", None)
        with transaction.atomic():
            if v:
                meeting = services.meeting_update(meeting=meeting, actor=request.user, **v)
            if attendance is not None:
                services.attendance_record(meeting=meeting, actor=request.user, attendance=attendance)
            if cancel:
                services.meeting_cancel(meeting=meeting, actor=request.user)
        return _detail(request, meeting_id)


class MyViewView(generics.GenericAPIView):
    """The caller's own view: invitees, and the person (portal account) or a proxy in force for them
    (`?person=`) when the family is invited. A portal account reaches it through portal.isolation's
    allow-list, the single gate."""

    serializer_class = s.ViewSerializer
    queryset = Meeting.objects.none()

    @extend_schema(parameters=[FAMILY_PERSON_PARAM], responses=OpenApiTypes.OBJECT, tags=["meetings"])
    def get(self, request: Request, meeting_id: str) -> Response:
        person_id = request.query_params.get("person") or None
        meeting = selectors.meeting_get_for_author(user=request.user, meeting_id=meeting_id, person_id=person_id)
        services.view_author_for(user=request.user, meeting=meeting, person_id=person_id)
        view = selectors.my_view(meeting=meeting, user=request.user, request=_req(request))
        if view is None:
            return Response({"detail": "You have not given a view yet."}, status=status.HTTP_404_NOT_FOUND)
        return Response(s.view_data(view))

    @extend_schema(
        parameters=[FAMILY_PERSON_PARAM], request=s.ViewSerializer, responses=OpenApiTypes.OBJECT, tags=["meetings"]
    )
    def put(self, request: Request, meeting_id: str) -> Response:
        person_id = request.query_params.get("person") or None
        meeting = selectors.meeting_get_for_author(user=request.user, meeting_id=meeting_id, person_id=person_id)
        data = s.ViewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        view = services.view_give(meeting=meeting, actor=request.user, person_id=person_id, **data.validated_data)
        return Response(s.view_data(view))


class MeetingOpenView(generics.GenericAPIView):
    permission_classes = [IsProfessionalOrAdmin]
    queryset = Meeting.objects.none()

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT, tags=["meetings"])
    def post(self, request: Request, meeting_id: str) -> Response:
        meeting, _ = selectors.meeting_get_for(user=request.user, meeting_id=meeting_id, request=_req(request))
        services.meeting_open(meeting=meeting, actor=request.user)
        return _detail(request, meeting_id)


def decision_inputs(meeting: Meeting, v: dict[str, Any]) -> dict[str, Any]:
    """The validated decision body as the service's arguments (goals resolved in the meeting's case)."""
    corrects = None
    if v.get("corrects"):
        corrects = Decision.objects.filter(pk=v["corrects"], meeting=meeting).first()
        if corrects is None:
            from rest_framework.exceptions import ValidationError

            raise ValidationError({"corrects": ["Choose a decision of this meeting."]})
    return {
        "text": v["text"],
        "agreed_by": v["agreed_by"],
        "dissent": [services.DissentIn(professional=d["professional"], reason=d["reason"]) for d in v["dissent"]],
        "actions": [
            services.ActionIn(
                goal=goal_get_in_case(case=meeting.case, goal_id=a["goal"]),
                title=a["title"],
                due_date=a["due_date"],
                accountable=a["accountable"],
                plain_summary=a["plain_summary"],
            )
            for a in v["actions"]
        ],
        "corrects": corrects,
    }


class DecisionListView(generics.GenericAPIView):
    permission_classes = [IsProfessionalOrAdmin]
    serializer_class = s.DecisionCreateSerializer
    queryset = Decision.objects.none()

    @extend_schema(responses=OpenApiTypes.OBJECT, tags=["meetings"])
    def get(self, request: Request, meeting_id: str) -> Response:
        _, decisions = selectors.decisions_read(user=request.user, meeting_id=meeting_id, request=_req(request))
        page = self.paginate_queryset(decisions)
        return self.get_paginated_response([s.decision_data(d) for d in page or []])

    @extend_schema(request=s.DecisionCreateSerializer, responses={201: OpenApiTypes.OBJECT}, tags=["meetings"])
    def post(self, request: Request, meeting_id: str) -> Response:
        meeting, _ = selectors.meeting_get_for(user=request.user, meeting_id=meeting_id, request=_req(request))
        data = s.DecisionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        decision = services.decision_record(
            meeting=meeting, actor=request.user, **decision_inputs(meeting, data.validated_data)
        )
        decision = Decision.objects.prefetch_related("agreed_by", "dissents", "actions").get(pk=decision.pk)
        return Response(s.decision_data(decision), status=status.HTTP_201_CREATED)


class MeetingCloseView(generics.GenericAPIView):
    permission_classes = [IsProfessionalOrAdmin]
    serializer_class = s.CloseSerializer
    queryset = Meeting.objects.none()

    @extend_schema(request=s.CloseSerializer, responses=OpenApiTypes.OBJECT, tags=["meetings"])
    def post(self, request: Request, meeting_id: str) -> Response:
        meeting, _ = selectors.meeting_get_for(user=request.user, meeting_id=meeting_id, request=_req(request))
        data = s.CloseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.meeting_close(meeting=meeting, actor=request.user, **data.validated_data)
        return _detail(request, meeting_id)


class InvitationView(generics.GenericAPIView):
    permission_classes = [IsProfessionalOrAdmin]
    queryset = Meeting.objects.none()

    @extend_schema(responses={(200, "text/calendar"): OpenApiResponse(OpenApiTypes.BINARY)}, tags=["meetings"])
    def get(self, request: Request, meeting_id: str) -> HttpResponse:
        meeting, emails, method = selectors.invitation_read(
            user=request.user, meeting_id=meeting_id, request=_req(request)
        )
        body = invitation_ics(meeting=meeting, method=method, attendee_emails=emails)
        response = HttpResponse(body, content_type=f"text/calendar; method={method}; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="meeting.ics"'
        response["Cache-Control"] = "private, no-store"
        return response


class DissentAnswerView(generics.GenericAPIView):
    permission_classes = [IsProfessionalOrAdmin]
    serializer_class = s.AnswerSerializer
    queryset = Decision.objects.none()

    @extend_schema(request=s.AnswerSerializer, responses=OpenApiTypes.OBJECT, tags=["meetings"])
    def post(self, request: Request, dissent_id: str) -> Response:
        dissent = selectors.dissent_get_for_answerer(user=request.user, dissent_id=dissent_id)
        data = s.AnswerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        dissent = services.dissent_answer(dissent=dissent, actor=request.user, answer=data.validated_data["answer"])
        return Response({"id": dissent.id, "answer": dissent.answer, "answered_at": dissent.answered_at})
