"""Directory API (agencies, teams, professionals) and the token login.

Views validate, call one selector or service, render. Who may change what is
decided by agencies.selectors.can_administer_agency / is_admin.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from agencies import selectors, services
from agencies.api import serializers as s
from agencies.api.base import IsProfessionalOrAdmin
from agencies.models import Agency, Professional, Team


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied("You may not change this.")


# --- Token --------------------------------------------------------------------


class TokenView(APIView):
    """Exchange a username and password for an API token.

    Wrong credentials answer 400; a locked-out account (django-axes) answers 429
    and never a token; at most the `auth_token` throttle rate per address."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth_token"

    @extend_schema(
        request=s.TokenRequestSerializer,
        responses={
            200: s.TokenSerializer,
            400: OpenApiResponse(description="Wrong username or password"),
            429: OpenApiResponse(description="Too many attempts: account locked out or rate limited"),
        },
        auth=[],
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        data = s.TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        # axes reads and flags the Django request, not DRF's wrapper around it.
        django_request = request._request
        user = authenticate(
            request=django_request,
            username=data.validated_data["username"],
            password=data.validated_data["password"],
        )
        if user is None:
            if getattr(django_request, "axes_locked_out", False):
                return Response(
                    {"detail": "Too many failed sign-in attempts. Try again later."},
                    status=status.HTTP_429_TOO_MANY_REQUESTS,
                )
            return Response(
                {"non_field_errors": ["Unable to sign in with these credentials."]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        key = services.auth_token_issue(user=user, request=django_request)
        return Response(s.TokenSerializer({"token": key}).data)


# --- Agencies -------------------------------------------------------------------


class AgencyListView(generics.GenericAPIView):
    permission_classes = [IsProfessionalOrAdmin]
    serializer_class = s.AgencySerializer

    def get_queryset(self) -> Any:
        return selectors.agency_list_visible_to(user=self.request.user)

    @extend_schema(responses=s.AgencySerializer(many=True), tags=["agencies"])
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(s.AgencySerializer(page, many=True).data)

    @extend_schema(request=s.AgencyCreateSerializer, responses={201: s.AgencySerializer}, tags=["agencies"])
    def post(self, request: Request) -> Response:
        _require(selectors.is_admin(request.user))
        data = s.AgencyCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        agency = services.agency_create(actor=request.user, **data.validated_data)
        return Response(s.AgencySerializer(agency).data, status=status.HTTP_201_CREATED)


class AgencyDetailView(generics.GenericAPIView):
    permission_classes = [IsProfessionalOrAdmin]
    serializer_class = s.AgencySerializer
    queryset = Agency.objects.none()

    @extend_schema(responses=s.AgencySerializer, tags=["agencies"])
    def get(self, request: Request, agency_id: str) -> Response:
        agency = selectors.agency_get_for(user=request.user, agency_id=agency_id)
        return Response(s.AgencySerializer(agency).data)

    @extend_schema(request=s.AgencyUpdateSerializer, responses=s.AgencySerializer, tags=["agencies"])
    def patch(self, request: Request, agency_id: str) -> Response:
        agency = selectors.agency_get_for(user=request.user, agency_id=agency_id)
        _require(selectors.can_administer_agency(request.user, agency.id))
        data = s.AgencyUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        agency = services.agency_update(agency=agency, actor=request.user, **data.validated_data)
        return Response(s.AgencySerializer(agency).data)


# --- Teams ----------------------------------------------------------------------


class TeamListView(generics.GenericAPIView):
    permission_classes = [IsProfessionalOrAdmin]
    serializer_class = s.TeamSerializer
    filterset_fields = ["agency"]

    def get_queryset(self) -> Any:
        return selectors.team_list_visible_to(user=self.request.user)

    @extend_schema(responses=s.TeamSerializer(many=True), tags=["teams"])
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(s.TeamSerializer(page, many=True).data)

    @extend_schema(request=s.TeamCreateSerializer, responses={201: s.TeamSerializer}, tags=["teams"])
    def post(self, request: Request) -> Response:
        data = s.TeamCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        _require(selectors.can_administer_agency(request.user, data.validated_data["agency"].id))
        team = services.team_create(actor=request.user, **data.validated_data)
        return Response(s.TeamSerializer(team).data, status=status.HTTP_201_CREATED)


class TeamDetailView(generics.GenericAPIView):
    permission_classes = [IsProfessionalOrAdmin]
    serializer_class = s.TeamSerializer
    queryset = Team.objects.none()

    @extend_schema(responses=s.TeamSerializer, tags=["teams"])
    def get(self, request: Request, team_id: str) -> Response:
        team = selectors.team_get_for(user=request.user, team_id=team_id)
        return Response(s.TeamSerializer(team).data)

    @extend_schema(request=s.TeamUpdateSerializer, responses=s.TeamSerializer, tags=["teams"])
    def patch(self, request: Request, team_id: str) -> Response:
        team = selectors.team_get_for(user=request.user, team_id=team_id)
        _require(selectors.can_administer_agency(request.user, team.agency_id))
        data = s.TeamUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        team = services.team_update(team=team, actor=request.user, **data.validated_data)
        return Response(s.TeamSerializer(team).data)


# --- Professionals --------------------------------------------------------------


class ProfessionalListView(generics.GenericAPIView):
    permission_classes = [IsProfessionalOrAdmin]
    serializer_class = s.ProfessionalSerializer
    filterset_fields = ["agency", "team", "profession"]

    def get_queryset(self) -> Any:
        return selectors.professional_list_visible_to(user=self.request.user)

    @extend_schema(responses=s.ProfessionalSerializer(many=True), tags=["professionals"])
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(s.ProfessionalSerializer(page, many=True).data)

    @extend_schema(
        request=s.ProfessionalCreateSerializer, responses={201: s.ProfessionalSerializer}, tags=["professionals"]
    )
    def post(self, request: Request) -> Response:
        data = s.ProfessionalCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        _require(selectors.can_administer_agency(request.user, data.validated_data["agency"].id))
        professional = services.professional_create(actor=request.user, **data.validated_data)
        return Response(s.ProfessionalSerializer(professional).data, status=status.HTTP_201_CREATED)


class ProfessionalDetailView(generics.GenericAPIView):
    permission_classes = [IsProfessionalOrAdmin]
    serializer_class = s.ProfessionalSerializer
    queryset = Professional.objects.none()

    @extend_schema(responses=s.ProfessionalSerializer, tags=["professionals"])
    def get(self, request: Request, professional_id: str) -> Response:
        professional = selectors.professional_get_for(user=request.user, professional_id=professional_id)
        return Response(s.ProfessionalSerializer(professional).data)

    @extend_schema(request=s.ProfessionalUpdateSerializer, responses=s.ProfessionalSerializer, tags=["professionals"])
    def patch(self, request: Request, professional_id: str) -> Response:
        professional = selectors.professional_get_for(user=request.user, professional_id=professional_id)
        _require(selectors.can_administer_agency(request.user, professional.agency_id))
        data = s.ProfessionalUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        professional = services.professional_update(
            professional=professional, actor=request.user, **data.validated_data
        )
        return Response(s.ProfessionalSerializer(professional).data)
