"""The portal's API: the person's (or proxy's, `?person=`) own plan, who looked at their
information, their messages, their say and their requests for a copy of their records;
and the lead worker's side of the messages (`/cases/{id}/messages/`). Through the same
selectors and services as the pages; a portal account reaches nothing else (404).

Floor 6.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.api.base import IsProfessionalOrAdmin
from cases import selectors as case_selectors
from portal import selectors, services
from portal.models import PortalMessage
from portal.selectors import PortalSubject
from sharing import selectors as sharing_selectors

PERSON_PARAM = OpenApiParameter("person", str, description="A person you are a proxy for (default: yourself).")


def _subject(request: Request) -> PortalSubject:
    if selectors.person_for(request.user) is None:
        raise NotFound()
    return selectors.portal_subject_for(user=request.user, person_id=request.query_params.get("person") or None)


def listing(item: type[serializers.Serializer], name: str) -> serializers.Serializer:
    """The schema of the portal's lists, as they answer: {count, next, previous, results} (one
    page: the portal's lists are short)."""
    return inline_serializer(
        name=name,
        fields={
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": item(many=True),
        },
    )


class PortalWorkerSerializer(serializers.Serializer):
    name = serializers.CharField()
    agency = serializers.CharField()
    role = serializers.CharField()
    contact = serializers.CharField()


class PortalItemSerializer(serializers.Serializer):
    plain_summary = serializers.CharField(source="summary")
    status = serializers.ChoiceField(choices=["done", "coming_up", "late"])
    due_date = serializers.DateField()
    moved = serializers.BooleanField(help_text="A worker moved the due date (the date is the new one).")
    reason = serializers.CharField(
        help_text="Why it moved, as the worker wrote it for the person (empty when they wrote none)."
    )
    accountable = PortalWorkerSerializer(source="worker", allow_null=True)


class PortalGoalSerializer(serializers.Serializer):
    plain_summary = serializers.CharField(source="summary")
    target_date = serializers.DateField()
    milestones = PortalItemSerializer(source="items", many=True)


class PortalReviewSerializer(serializers.Serializer):
    date = serializers.DateField(source="on")
    accountable = PortalWorkerSerializer(source="worker", allow_null=True)


class PortalMeetingSerializer(serializers.Serializer):
    kind = serializers.CharField()
    kind_words = serializers.CharField(help_text="The kind of meeting in plain words.")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    location = serializers.CharField(help_text="A place, or an online meeting link.")
    online = serializers.BooleanField()
    family_invited = serializers.BooleanField()


class PortalPlanSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="case.id")
    plain_title = serializers.CharField(source="title")
    goals = PortalGoalSerializer(many=True)
    workers = PortalWorkerSerializer(many=True)
    reviews = serializers.SerializerMethodField()
    meetings = serializers.SerializerMethodField()

    def get_reviews(self, plan: Any) -> list[dict[str, Any]]:
        return [PortalReviewSerializer(plan.next_review).data] if plan.next_review else []

    @extend_schema_field(PortalMeetingSerializer(many=True))
    def get_meetings(self, plan: Any) -> list[dict[str, Any]]:
        """The next meeting the family may know of: kind, times, place or link, whether they are
        invited; never the agenda, the chair or anyone's view."""
        m = plan.next_meeting
        if m is None:
            return []
        data = {
            "kind": m.kind,
            "kind_words": plan.next_meeting_words,
            "starts_at": m.starts_at,
            "ends_at": m.ends_at,
            "location": m.location,
            "online": m.online,
            "family_invited": m.family_invited,
        }
        return [PortalMeetingSerializer(data).data]


class MyPlanView(APIView):
    @extend_schema(
        parameters=[PERSON_PARAM],
        responses=inline_serializer(
            name="PortalPlanList",
            fields={"person": serializers.UUIDField(), "results": PortalPlanSerializer(many=True)},
        ),
        tags=["portal"],
    )
    def get(self, request: Request) -> Response:
        subject = _subject(request)
        plans = selectors.portal_plan(subject=subject, user=request.user, request=request._request)
        return Response({"person": str(subject.person.pk), "results": PortalPlanSerializer(plans, many=True).data})


class PortalAccessLogSerializer(serializers.Serializer):
    at = serializers.DateField()
    agency = serializers.CharField()
    role = serializers.CharField()
    reason = serializers.CharField()
    times = serializers.IntegerField()


class MyAccessLogView(APIView):
    @extend_schema(
        parameters=[PERSON_PARAM],
        responses={
            200: listing(PortalAccessLogSerializer, "PortalAccessLogList"),
            403: OpenApiResponse(description="A proxy whose scope is the plan only"),
        },
        tags=["portal"],
    )
    def get(self, request: Request) -> Response:
        subject = _subject(request)
        if not subject.may_see_sharing:
            raise PermissionDenied("You can see this plan, but not who has looked at this information.")
        selectors.audit_portal_read(
            "portal.access_log.viewed", subject=subject, user=request.user, request=request._request
        )
        lines = selectors.access_log_lines(subject=subject)
        return Response(
            {
                "count": len(lines),
                "next": None,
                "previous": None,
                "results": PortalAccessLogSerializer(lines, many=True).data,
            }
        )


class PortalMessageSerializer(serializers.ModelSerializer):
    case = serializers.UUIDField(source="case_id", read_only=True)
    author = serializers.SerializerMethodField()

    class Meta:
        model = PortalMessage
        fields = ["id", "case", "kind", "text", "author", "created_at", "answered_at"]
        read_only_fields = fields

    def get_author(self, m: PortalMessage) -> str:
        return m.author_professional.full_name if m.author_professional else "you"


class MessageCreateSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=services.MESSAGE_MAX)
    case = serializers.UUIDField(required=False, help_text="Which plan (default: the first).")


class MyMessagesView(APIView):
    @extend_schema(
        parameters=[PERSON_PARAM], responses=listing(PortalMessageSerializer, "PortalMessageList"), tags=["portal"]
    )
    def get(self, request: Request) -> Response:
        subject = _subject(request)
        thread = list(selectors.message_thread(subject=subject, user=request.user, request=request._request))
        return Response(
            {
                "count": len(thread),
                "next": None,
                "previous": None,
                "results": PortalMessageSerializer(thread, many=True).data,
            }
        )

    @extend_schema(
        parameters=[PERSON_PARAM],
        request=MessageCreateSerializer,
        responses={201: PortalMessageSerializer},
        tags=["portal"],
    )
    def post(self, request: Request) -> Response:
        subject = _subject(request)
        data = MessageCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = _case(subject, data.validated_data.get("case"))
        message = services.message_send(
            subject=subject, case=case, text=data.validated_data["text"], actor=request.user, request=request._request
        )
        return Response(PortalMessageSerializer(message).data, status=status.HTTP_201_CREATED)


def _case(subject: PortalSubject, case_id: Any) -> Any:
    if case_id is not None:
        case = selectors.portal_cases(subject=subject).filter(pk=case_id).first()
        if case is None:
            raise serializers.ValidationError({"case": ["Choose one of your plans."]})
        return case
    case = selectors.portal_cases(subject=subject).first()
    if case is None:
        raise serializers.ValidationError({"case": ["You do not have a plan right now."]})
    return case


class FeedbackCreateSerializer(serializers.Serializer):
    case = serializers.UUIDField(required=False)
    rating = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(max_length=services.MESSAGE_MAX, required=False, allow_blank=True)


class PortalFeedbackSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    case = serializers.UUIDField(source="case_id")
    rating = serializers.IntegerField()
    comment = serializers.CharField()
    created_at = serializers.DateTimeField()


class MyFeedbackView(APIView):
    @extend_schema(
        parameters=[PERSON_PARAM],
        request=FeedbackCreateSerializer,
        responses={201: PortalFeedbackSerializer},
        tags=["portal"],
    )
    def post(self, request: Request) -> Response:
        subject = _subject(request)
        data = FeedbackCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        feedback = services.feedback_give(
            subject=subject,
            case=_case(subject, v.get("case")),
            rating=v["rating"],
            comment=v.get("comment", ""),
            actor=request.user,
            request=request._request,
        )
        return Response(PortalFeedbackSerializer(feedback).data, status=status.HTTP_201_CREATED)


class PortalSarSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    status = serializers.CharField()
    due_date = serializers.DateField()
    created_at = serializers.DateTimeField()
    completed_at = serializers.DateTimeField(allow_null=True)


class MySarView(APIView):
    @extend_schema(responses=listing(PortalSarSerializer, "PortalSarList"), tags=["portal"])
    def get(self, request: Request) -> Response:
        subject = _subject(request)
        rows = list(sharing_selectors.sar_list_for_person(person=subject.person)) if subject.is_self else []
        return Response(
            {"count": len(rows), "next": None, "previous": None, "results": PortalSarSerializer(rows, many=True).data}
        )

    @extend_schema(request=None, responses={201: PortalSarSerializer}, tags=["portal"])
    def post(self, request: Request) -> Response:
        subject = _subject(request)
        sar = services.records_copy_request(subject=subject, actor=request.user, request=request._request)
        return Response(PortalSarSerializer(sar).data, status=status.HTTP_201_CREATED)


class ReplySerializer(serializers.Serializer):
    person = serializers.UUIDField()
    text = serializers.CharField(max_length=services.MESSAGE_MAX)


class CaseMessagesView(APIView):
    """The lead worker's side: the case's portal messages; POST replies."""

    permission_classes = [IsProfessionalOrAdmin]

    @extend_schema(responses=listing(PortalMessageSerializer, "CaseMessageList"), tags=["portal"])
    def get(self, request: Request, case_id: str) -> Response:
        access = case_selectors.get_case_for(user=request.user, case_id=case_id, request=request._request)
        view = selectors.case_portal_view(case=access.case, user=request.user, request=request._request)
        return Response(
            {
                "count": len(view.messages),
                "next": None,
                "previous": None,
                "results": PortalMessageSerializer(view.messages, many=True).data,
            }
        )

    @extend_schema(request=ReplySerializer, responses={201: PortalMessageSerializer}, tags=["portal"])
    def post(self, request: Request, case_id: str) -> Response:
        access = case_selectors.get_case_for(user=request.user, case_id=case_id, request=request._request)
        data = ReplySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        reply = services.message_reply(
            case=access.case,
            person_id=data.validated_data["person"],
            text=data.validated_data["text"],
            actor=request.user,
            request=request._request,
        )
        return Response(PortalMessageSerializer(reply).data, status=status.HTTP_201_CREATED)
