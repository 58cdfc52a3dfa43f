"""Case API: me, people, cases, the case team, goals, milestones and reviews.

Everything inside a case goes through cases.selectors.get_case_for: 404 when
the case is not visible, 403 when visible but the action is not allowed.
Views validate, call one selector or service, render.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.api.base import IsProfessionalOrAdmin
from agencies.selectors import is_admin, professional_for
from agencies.throttling import SearchThrottle
from cases import selectors, services
from cases.api import serializers as s
from cases.models import Case, Household, Person, ProxyAccess, Relationship, RoleAssignment
from cases.selectors import MANAGE, VIEW, CaseAccess


class CaseScoped(generics.GenericAPIView):
    """Base for /cases/{case_id}/...: the case is looked up for the caller with a permission."""

    permission_classes = [IsProfessionalOrAdmin]

    def case_access(self, perm: str) -> CaseAccess:
        return selectors.get_case_for(
            user=self.request.user, case_id=self.kwargs["case_id"], perm=perm, request=self.request._request
        )


class MeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=s.MeSerializer, tags=["me"])
    def get(self, request: Request) -> Response:
        user: Any = request.user
        professional = professional_for(user)
        person = None if professional is not None else selectors.person_for(user)
        if is_admin(user):
            kind = "admin"
        elif professional is not None:
            kind = "professional"
        else:
            kind = "service_user"
        data = {
            "kind": kind,
            "username": user.get_username(),
            "name": professional.full_name if professional else (user.get_full_name() or user.get_username()),
            "professional": professional.id if professional else None,
            "person": person.id if person else None,
            "agency": professional.agency_id if professional else None,
        }
        return Response(s.MeSerializer(data).data)


class PersonListView(generics.GenericAPIView):
    permission_classes = [IsProfessionalOrAdmin]
    serializer_class = s.PersonSerializer

    def get_queryset(self) -> Any:
        return selectors.person_list_read(user=self.request.user, request=self.request._request)

    @extend_schema(responses=s.PersonSerializer(many=True), tags=["people"])
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.PersonSerializer(page, many=True).data)

    @extend_schema(request=s.PersonCreateSerializer, responses={201: s.PersonSerializer}, tags=["people"])
    def post(self, request: Request) -> Response:
        data = s.PersonCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        person = services.person_register(actor=request.user, **data.validated_data)
        return Response(s.PersonSerializer(person).data, status=status.HTTP_201_CREATED)


class PersonDetailView(generics.GenericAPIView):
    permission_classes = [IsProfessionalOrAdmin]
    serializer_class = s.PersonSerializer
    queryset = Person.objects.none()

    @extend_schema(responses=s.PersonSerializer, tags=["people"])
    def get(self, request: Request, person_id: str) -> Response:
        person = selectors.person_read(user=request.user, person_id=person_id, request=request._request)
        return Response(s.PersonSerializer(person).data)

    @extend_schema(request=s.PersonUpdateSerializer, responses=s.PersonSerializer, tags=["people"])
    def patch(self, request: Request, person_id: str) -> Response:
        person = selectors.person_get_for(user=request.user, person_id=person_id)
        data = s.PersonUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        person = services.person_update(person=person, actor=request.user, **data.validated_data)
        return Response(s.PersonSerializer(person).data)


class PortalAccountView(generics.GenericAPIView):
    permission_classes = [IsProfessionalOrAdmin]
    serializer_class = s.PortalAccountSerializer
    queryset = Person.objects.none()

    @extend_schema(request=s.PortalAccountCreateSerializer, responses={201: s.PortalAccountSerializer}, tags=["people"])
    def post(self, request: Request, person_id: str) -> Response:
        person = selectors.person_get_for_portal_account(user=request.user, person_id=person_id)
        data = s.PortalAccountCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.person_portal_account_create(person=person, actor=request.user, **data.validated_data)
        link = None if user.has_usable_password() else services.portal_set_password_link(user)
        return Response(
            s.PortalAccountSerializer(
                {"person": person.id, "username": user.get_username(), "set_password_link": link}
            ).data,
            status=status.HTTP_201_CREATED,
        )


class CaseListView(generics.GenericAPIView):
    permission_classes = [IsProfessionalOrAdmin]
    throttle_classes = [SearchThrottle]  # searches (?q=) per user
    serializer_class = s.CaseSerializer

    def get_queryset(self) -> Any:
        params = self.request.query_params
        return selectors.case_list_rows(user=self.request.user, status=params.get("status"), query=params.get("q", ""))

    def list_count(self) -> int | None:
        """The count of the list, when the selector has a cheaper one (see Pagination)."""
        params = self.request.query_params
        return selectors.case_list_count(user=self.request.user, status=params.get("status"), query=params.get("q", ""))

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=["open", "closed"], description="Only open or closed cases."),
            OpenApiParameter("q", str, description="Search title and reference."),
        ],
        responses=s.CaseSerializer(many=True),
        tags=["cases"],
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset()) or []
        return self.get_paginated_response([s.case_row_data(row) for row in page])

    @extend_schema(request=s.CaseCreateSerializer, responses={201: s.CaseSerializer}, tags=["cases"])
    def post(self, request: Request) -> Response:
        data = s.CaseCreateSerializer(data=request.data, context={"user": request.user})
        data.is_valid(raise_exception=True)
        v = data.validated_data
        case = services.case_open(
            title=v["title"],
            people=v["people"],
            lead=v["lead_professional"],
            plain_title=v.get("plain_title", ""),
            actor=request.user,
        )
        return Response(s.CaseSerializer(case).data, status=status.HTTP_201_CREATED)


class CaseDetailView(CaseScoped):
    serializer_class = s.CaseSerializer
    queryset = Case.objects.none()

    @extend_schema(responses=s.CaseSerializer, tags=["cases"])
    def get(self, request: Request, case_id: str) -> Response:
        return Response(s.CaseSerializer(self.case_access(VIEW).case).data)

    @extend_schema(request=s.CaseUpdateSerializer, responses=s.CaseSerializer, tags=["cases"])
    def patch(self, request: Request, case_id: str) -> Response:
        case = self.case_access(MANAGE).case
        data = s.CaseUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        with transaction.atomic():
            if "title" in v:
                case = services.case_update(case=case, title=v["title"], actor=request.user)
            if "plain_title" in v:
                case = services.case_plain_title_set(case=case, plain_title=v["plain_title"], actor=request.user)
            if v.get("status") == "closed":
                try:
                    case = services.case_close(case=case, reason=v["closure_reason"], actor=request.user)
                except DjangoValidationError as exc:
                    # The service names its argument `reason`; the API field is `closure_reason`.
                    errors = exc.message_dict
                    raise DjangoValidationError(
                        {("closure_reason" if k == "reason" else k): msgs for k, msgs in errors.items()}
                    ) from None
        return Response(s.CaseSerializer(case).data)


class AssignmentListView(CaseScoped):
    serializer_class = s.AssignmentSerializer
    queryset = RoleAssignment.objects.none()

    @extend_schema(
        parameters=[OpenApiParameter("include_ended", bool, description="Also list roles that have ended.")],
        responses=s.AssignmentSerializer(many=True),
        tags=["cases"],
    )
    def get(self, request: Request, case_id: str) -> Response:
        case = self.case_access(VIEW).case
        include_ended = request.query_params.get("include_ended", "").lower() in {"1", "true", "yes"}
        page = self.paginate_queryset(selectors.case_team(case=case, include_ended=include_ended))
        return self.get_paginated_response(s.AssignmentSerializer(page, many=True).data)

    @extend_schema(request=s.AssignmentCreateSerializer, responses={201: s.AssignmentSerializer}, tags=["cases"])
    def post(self, request: Request, case_id: str) -> Response:
        case = self.case_access(MANAGE).case
        data = s.AssignmentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        assignment = services.assignment_add(case=case, actor=request.user, **data.validated_data)
        return Response(s.AssignmentSerializer(assignment).data, status=status.HTTP_201_CREATED)


class HouseholdListView(generics.GenericAPIView):
    permission_classes = [IsProfessionalOrAdmin]
    serializer_class = s.HouseholdSerializer
    queryset = Household.objects.none()

    @extend_schema(responses=s.HouseholdSerializer(many=True), tags=["people"])
    def get(self, request: Request) -> Response:
        rows: Any = selectors.household_list_read(user=request.user, request=request._request)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(s.HouseholdSerializer(page, many=True).data)

    @extend_schema(request=s.HouseholdCreateSerializer, responses={201: s.HouseholdSerializer}, tags=["people"])
    def post(self, request: Request) -> Response:
        data = s.HouseholdCreateSerializer(data=request.data, context={"user": request.user})
        data.is_valid(raise_exception=True)
        household = services.household_create(actor=request.user, **data.validated_data)
        return Response(s.HouseholdSerializer(household).data, status=status.HTTP_201_CREATED)


class RelationshipListView(generics.GenericAPIView):
    permission_classes = [IsProfessionalOrAdmin]
    serializer_class = s.RelationshipSerializer
    queryset = Relationship.objects.none()

    @extend_schema(responses=s.RelationshipSerializer(many=True), tags=["people"])
    def get(self, request: Request, person_id: str) -> Response:
        person = selectors.person_get_for(user=request.user, person_id=person_id)
        rows: Any = selectors.relationship_list_read(user=request.user, person=person, request=request._request)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(s.RelationshipSerializer(page, many=True).data)

    @extend_schema(request=s.RelationshipCreateSerializer, responses={201: s.RelationshipSerializer}, tags=["people"])
    def post(self, request: Request, person_id: str) -> Response:
        person = selectors.person_get_for(user=request.user, person_id=person_id)
        data = s.RelationshipCreateSerializer(data=request.data, context={"user": request.user})
        data.is_valid(raise_exception=True)
        rel = services.relationship_add(person=person, actor=request.user, **data.validated_data)
        return Response(s.RelationshipSerializer(rel).data, status=status.HTTP_201_CREATED)


class ProxyListView(generics.GenericAPIView):
    """The person's proxies: by the lead professional of one of their open cases (or an admin)."""

    permission_classes = [IsProfessionalOrAdmin]
    serializer_class = s.ProxySerializer
    queryset = ProxyAccess.objects.none()

    @extend_schema(responses=s.ProxySerializer(many=True), tags=["people"])
    def get(self, request: Request, person_id: str) -> Response:
        person = selectors.person_get_for_portal_account(user=request.user, person_id=person_id)
        rows: Any = selectors.proxy_list_read(user=request.user, person=person, request=request._request)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(s.ProxySerializer(page, many=True).data)

    @extend_schema(request=s.ProxyCreateSerializer, responses={201: s.ProxySerializer}, tags=["people"])
    def post(self, request: Request, person_id: str) -> Response:
        person = selectors.person_get_for_portal_account(user=request.user, person_id=person_id)
        data = s.ProxyCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        proxy = services.proxy_link(person=person, actor=request.user, **data.validated_data)
        return Response(s.ProxySerializer(proxy).data, status=status.HTTP_201_CREATED)


class ProxyDetailView(generics.GenericAPIView):
    permission_classes = [IsProfessionalOrAdmin]
    serializer_class = s.ProxySerializer
    queryset = ProxyAccess.objects.none()

    @extend_schema(responses={204: None}, tags=["people"])
    def delete(self, request: Request, person_id: str, proxy_id: str) -> Response:
        person = selectors.person_get_for_portal_account(user=request.user, person_id=person_id)
        services.proxy_end(proxy=selectors.proxy_get_for(person=person, proxy_id=proxy_id), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ProxyFreezeView(generics.GenericAPIView):
    permission_classes = [IsProfessionalOrAdmin]
    serializer_class = s.ProxySerializer
    queryset = ProxyAccess.objects.none()

    @extend_schema(request=None, responses=s.ProxySerializer, tags=["people"])
    def post(self, request: Request, person_id: str, proxy_id: str) -> Response:
        person = selectors.person_get_for_portal_account(user=request.user, person_id=person_id)
        proxy = services.proxy_freeze(
            proxy=selectors.proxy_get_for(person=person, proxy_id=proxy_id), actor=request.user
        )
        return Response(s.ProxySerializer(proxy).data)
