"""Directory API (agencies, teams, professionals) and the token login.

Views validate, call one selector or service, render. Who may change what is
decided by agencies.selectors.can_administer_agency / is_admin.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from agencies import accounts, selectors, services
from agencies.api import serializers as s
from agencies.api.authentication import RevocationTokenAuthentication
from agencies.api.base import IsProfessionalOrAdmin
from agencies.models import Agency, Professional, Team


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied("You may not change this.")


# --- Token --------------------------------------------------------------------


class TokenView(APIView):
    """POST: exchange a username and password (and the current one-time code `otp` from an
    authenticator app or a recovery code, for professionals and admins when two-factor sign-in is
    on and for anyone who enrolled an app or recovery codes; a passkey cannot give a code) for a
    new API token, named for the client and expiring after API_TOKEN_TTL_HOURS. DELETE: revoke the
    token the request is sent with.

    Wrong credentials or a missing or wrong code answer 400; a locked-out account or address
    (django-axes, agencies.backends.AddressLockoutBackend) answers 429 and never a token; at most
    the `auth_token` throttle rate per address."""

    authentication_classes = [RevocationTokenAuthentication]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth_token"

    def get_permissions(self) -> list[Any]:
        return [IsAuthenticated()] if self.request.method == "DELETE" else [AllowAny()]

    @extend_schema(
        request=s.TokenRequestSerializer,
        responses={
            200: s.TokenSerializer,
            400: OpenApiResponse(description="Wrong username or password, or a missing or wrong one-time code"),
            429: OpenApiResponse(description="Too many attempts: account or address locked out, or rate limited"),
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
        needs_code, refusal = accounts.api_token_code_rule(user)  # the rule and its reasons: agencies.accounts
        if needs_code:
            code = data.validated_data.get("otp", "")
            if refusal:
                return Response({"otp": [refusal]}, status=status.HTTP_400_BAD_REQUEST)
            if not code:
                return Response({"otp": ["The current one-time code is required."]}, status=status.HTTP_400_BAD_REQUEST)
            if accounts.second_factor_verify(user=user, code=code) is None:
                # A wrong code counts towards the account's lock-out like a wrong password.
                user_login_failed.send(
                    sender=__name__, credentials={"username": user.get_username()}, request=django_request
                )
                return Response({"otp": ["This code is wrong or has expired."]}, status=status.HTTP_400_BAD_REQUEST)
        token, key = accounts.api_token_issue(user=user, name=data.validated_data["name"], request=django_request)
        return Response(s.TokenSerializer({"token": key, "expires_at": token.expiry, "name": token.name}).data)

    @extend_schema(
        request=None,
        responses={
            204: OpenApiResponse(description="Revoked: the token no longer signs in"),
            401: OpenApiResponse(description="No valid token sent"),
        },
        auth=[{"tokenAuth": []}],  # type: ignore[list-item]  # the one token scheme (a security requirement)
        tags=["auth"],
    )
    def delete(self, request: Request) -> Response:
        token: Any = request.auth  # an ApiToken: RevocationTokenAuthentication is the only authenticator
        accounts.api_token_revoke(token=token, request=request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


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
