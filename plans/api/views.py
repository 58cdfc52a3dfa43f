"""/api/v1/ endpoints of the plan: goals, milestones, reviews. Thin: the case gate
(cases.api.views.CaseScoped) answers 404/403, serializers validate, and the
services of plans/ decide every right and rule.

Floor 5.
"""

from __future__ import annotations

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from agencies.api.base import IsProfessionalOrAdmin
from cases.api.views import CaseScoped
from cases.selectors import MANAGE, VIEW
from plans import selectors, services
from plans.api import serializers as s
from plans.models import Goal, ItemStatus, Milestone, Review


class GoalListView(CaseScoped):
    serializer_class = s.GoalSerializer
    queryset = Goal.objects.none()

    @extend_schema(responses=s.GoalSerializer(many=True), tags=["plan"])
    def get(self, request: Request, case_id: str) -> Response:
        case = self.case_access(VIEW).case
        page = self.paginate_queryset(selectors.case_plan(case=case).order_by("target_date", "created_at", "id"))
        return self.get_paginated_response(s.GoalSerializer(page, many=True).data)

    @extend_schema(request=s.GoalCreateSerializer, responses={201: s.GoalSerializer}, tags=["plan"])
    def post(self, request: Request, case_id: str) -> Response:
        case = self.case_access(MANAGE).case
        data = s.GoalCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        goal = services.goal_add(case=case, actor=request.user, **data.validated_data)
        return Response(s.GoalSerializer(goal).data, status=status.HTTP_201_CREATED)


class GoalDetailView(generics.GenericAPIView):
    permission_classes = [IsProfessionalOrAdmin]
    serializer_class = s.GoalSerializer
    queryset = Goal.objects.none()

    @extend_schema(responses=s.GoalSerializer, tags=["plan"])
    def get(self, request: Request, goal_id: str) -> Response:
        goal, _ = selectors.goal_get_for(user=request.user, goal_id=goal_id)
        return Response(s.GoalSerializer(goal).data)

    @extend_schema(
        request=s.GoalUpdateSerializer,
        responses=s.GoalSerializer,
        tags=["plan"],
        description="The SMART fields (none may be emptied), or `achievement` (`achieved`, `not_achieved`) "
        "with a `note`. Case managers.",
    )
    def patch(self, request: Request, goal_id: str) -> Response:
        goal, _ = selectors.goal_get_for(user=request.user, goal_id=goal_id)
        data = s.GoalUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        smart = ("description", "measure", "target_date", "plain_summary")
        with transaction.atomic():
            if any(name in v for name in smart):
                goal = services.goal_update(
                    goal=goal, actor=request.user, **{name: v.get(name, getattr(goal, name)) for name in smart}
                )
            if "achievement" in v:
                goal = services.goal_outcome_record(
                    goal=goal, actor=request.user, outcome=v["achievement"], note=v.get("note", "")
                )
        return Response(s.GoalSerializer(goal).data)


class MilestoneListView(CaseScoped):
    serializer_class = s.MilestoneSerializer
    queryset = Milestone.objects.none()

    @extend_schema(responses=s.MilestoneSerializer(many=True), tags=["plan"])
    def get(self, request: Request, case_id: str) -> Response:
        case = self.case_access(VIEW).case
        page = self.paginate_queryset(selectors.case_milestones(case=case))
        return self.get_paginated_response(s.MilestoneSerializer(page, many=True).data)

    @extend_schema(request=s.MilestoneCreateSerializer, responses={201: s.MilestoneSerializer}, tags=["plan"])
    def post(self, request: Request, case_id: str) -> Response:
        case = self.case_access(MANAGE).case
        data = s.MilestoneCreateSerializer(data=request.data, context={"case": case})
        data.is_valid(raise_exception=True)
        milestone = services.milestone_add(case=case, actor=request.user, **data.validated_data)
        return Response(s.MilestoneSerializer(milestone).data, status=status.HTTP_201_CREATED)


class MilestoneDetailView(generics.GenericAPIView):
    permission_classes = [IsProfessionalOrAdmin]
    serializer_class = s.MilestoneSerializer
    queryset = Milestone.objects.none()

    @extend_schema(responses=s.MilestoneSerializer, tags=["plan"])
    def get(self, request: Request, milestone_id: str) -> Response:
        milestone, _ = selectors.milestone_get_for(user=request.user, milestone_id=milestone_id, perm=VIEW)
        return Response(s.MilestoneSerializer(milestone).data)

    @extend_schema(
        request=s.MilestoneUpdateSerializer,
        responses=s.MilestoneSerializer,
        tags=["plan"],
        description="`accountable` hands the milestone over (recorded as a handover); `status` completes, "
        "cancels or reopens it (reopening a completion of the last 24 hours undoes it); `due_date` with a "
        "`reason` moves it (kept in `history`); `title` and `plain_summary` edit it (case managers). Rights "
        "from plans.services: the accountable person, the lead professional and the case's team leads.",
    )
    def patch(self, request: Request, milestone_id: str) -> Response:
        milestone, _ = selectors.milestone_get_for(user=request.user, milestone_id=milestone_id, perm=VIEW)
        data = s.MilestoneUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        new_status = v.get("status")
        edits = {name: v.get(name) for name in ("title", "plain_summary", "due_date")}
        # Each change goes to the one service that owns it; each decides the caller's right.
        with transaction.atomic():
            if v.get("accountable") is not None:
                services.milestone_handover(milestone=milestone, to=v["accountable"], actor=request.user)
            if any(value is not None for value in edits.values()) or new_status not in (None, ItemStatus.COMPLETED):
                milestone = services.milestone_update(
                    milestone=milestone,
                    actor=request.user,
                    title=edits["title"],
                    plain_summary=edits["plain_summary"],
                    due_date=edits["due_date"],
                    reason=v.get("reason", ""),
                    reason_for_person=v.get("reason_for_person", ""),
                    status=None if new_status == ItemStatus.COMPLETED else new_status,
                )
            if new_status == ItemStatus.COMPLETED:
                milestone = services.milestone_complete(milestone=milestone, actor=request.user)
        return Response(s.MilestoneSerializer(milestone).data)


class MilestoneCompleteView(generics.GenericAPIView):
    permission_classes = [IsProfessionalOrAdmin]
    serializer_class = s.MilestoneSerializer
    queryset = Milestone.objects.none()

    @extend_schema(request=None, responses=s.MilestoneSerializer, tags=["plan"])
    def post(self, request: Request, milestone_id: str) -> Response:
        milestone, _ = selectors.milestone_get_for(user=request.user, milestone_id=milestone_id, perm=VIEW)
        milestone = services.milestone_complete(milestone=milestone, actor=request.user)
        return Response(s.MilestoneSerializer(milestone).data)


class ReviewListView(CaseScoped):
    serializer_class = s.ReviewSerializer
    queryset = Review.objects.none()

    @extend_schema(responses=s.ReviewSerializer(many=True), tags=["plan"])
    def get(self, request: Request, case_id: str) -> Response:
        case = self.case_access(VIEW).case
        page = self.paginate_queryset(selectors.case_reviews(case=case).order_by("scheduled_for", "created_at", "id"))
        return self.get_paginated_response(s.ReviewSerializer(page, many=True).data)

    @extend_schema(request=s.ReviewCreateSerializer, responses={201: s.ReviewSerializer}, tags=["plan"])
    def post(self, request: Request, case_id: str) -> Response:
        case = self.case_access(MANAGE).case
        data = s.ReviewCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        review = services.review_add(case=case, actor=request.user, **data.validated_data)
        return Response(s.ReviewSerializer(review).data, status=status.HTTP_201_CREATED)
