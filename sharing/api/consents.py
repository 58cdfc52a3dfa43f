"""/api/v1/ consents of a person, withdrawal, and the safeguarding override."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from agencies.api.base import BoundedDateField
from agencies.validation import NOTE_MAX
from cases import selectors as case_selectors
from sharing import selectors
from sharing.api.records import paginate, paginated_response, services
from sharing.models import Category, Consent, ConsentDecision, LawfulBasis, OverrideOutcome


class ConsentSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    person = serializers.UUIDField(source="person_id", read_only=True)
    category = serializers.CharField(
        required=False, allow_blank=True, max_length=20, help_text=", ".join(Category.values)
    )
    agency = serializers.UUIDField(source="agency_id", required=False, allow_null=True)
    purpose = serializers.CharField(required=False, allow_blank=True, max_length=Consent.purpose.field.max_length)
    decision = serializers.CharField(
        required=False, default=ConsentDecision.GIVEN, max_length=10, help_text="given or refused"
    )
    valid_from = BoundedDateField(required=False, allow_null=True)
    valid_until = BoundedDateField(required=False, allow_null=True)
    given_by = serializers.CharField(required=False, allow_blank=True, max_length=Consent.given_by.field.max_length)
    recorded_by = serializers.UUIDField(source="recorded_by_id", read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)
    withdrawn_at = serializers.DateTimeField(read_only=True, allow_null=True)
    state = serializers.SerializerMethodField()

    def get_state(self, consent) -> str:  # type: ignore[no-untyped-def]
        """shared, refused, withdrawn, expired, not_yet or superseded."""
        return selectors.consent_state(consent)


class PersonConsentListView(APIView):
    """A person's consent decisions. Professionals on the person's cases, or the person
    themself through their portal account, may read and record them."""

    serializer_class = ConsentSerializer
    pagination_class = api_settings.DEFAULT_PAGINATION_CLASS  # documents the paginated list

    @extend_schema(responses=ConsentSerializer(many=True), tags=["consent"])
    def get(self, request: Request, person_id: str) -> Response:
        person = selectors.consent_person_get_for(user=request.user, person_id=person_id)
        page = paginate(
            self, request, selectors.consent_list_for(user=request.user, person=person, request=request._request)
        )
        return paginated_response(self, ConsentSerializer(page, many=True).data)

    @extend_schema(request=ConsentSerializer, responses={201: ConsentSerializer}, tags=["consent"])
    def post(self, request: Request, person_id: str) -> Response:
        person = selectors.consent_person_get_for(user=request.user, person_id=person_id)
        data = ConsentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        consent = services.consent_record(
            person=person,
            category=v.get("category") or None,
            agency=v.get("agency_id"),
            purpose=v.get("purpose", ""),
            decision=v.get("decision") or ConsentDecision.GIVEN,
            valid_from=v.get("valid_from"),
            valid_until=v.get("valid_until"),
            given_by=v.get("given_by", ""),
            actor=request.user,
            request=request._request,
        )
        return Response(ConsentSerializer(consent).data, status=status.HTTP_201_CREATED)


class ConsentWithdrawView(APIView):
    """Withdraw a consent; effective at once."""

    serializer_class = ConsentSerializer

    @extend_schema(request=None, responses=ConsentSerializer, tags=["consent"])
    def post(self, request: Request, consent_id: str) -> Response:
        consent = selectors.consent_get_for(user=request.user, consent_id=consent_id)
        consent = services.consent_withdraw(consent=consent, actor=request.user, request=request._request)
        return Response(ConsentSerializer(consent).data)


ADMINS_QUEUE = "admins"


@extend_schema_field(OpenApiTypes.STR)
class ReviewerField(serializers.Field):
    """The reviewer's professional id, or "admins" for the administrators' queue: never
    null, never the holder."""

    def to_representation(self, access):  # type: ignore[no-untyped-def]
        return str(access.reviewer_id) if access.reviewer_id else ADMINS_QUEUE


class SafeguardingAccessSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    case = serializers.UUIDField(source="case_id", read_only=True)
    professional = serializers.UUIDField(source="professional_id", read_only=True)
    holder = serializers.UUIDField(source="professional_id", read_only=True)
    category = serializers.CharField(required=False, allow_blank=True, max_length=20)
    lawful_basis = serializers.CharField(
        required=False, allow_blank=True, max_length=20, help_text=", ".join(LawfulBasis.values)
    )
    justification = serializers.CharField(
        required=False, allow_blank=True, max_length=NOTE_MAX, help_text="At least 30 characters"
    )
    started_at = serializers.DateTimeField(read_only=True)
    expires_at = serializers.DateTimeField(read_only=True)
    ended_at = serializers.DateTimeField(read_only=True, allow_null=True)
    reviewer = ReviewerField(source="*", read_only=True, help_text='Professional id, or "admins"')
    review_due = serializers.DateField(read_only=True)


class RecordOpenedSerializer(serializers.Serializer):
    record = serializers.UUIDField()
    at = serializers.DateTimeField()
    category = serializers.CharField()
    action = serializers.CharField()


class OverrideReviewSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=OverrideOutcome.choices)
    person_may_be_told = serializers.BooleanField(required=False, default=False)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=NOTE_MAX)


class SafeguardingAccessDetailSerializer(SafeguardingAccessSerializer):
    records_opened = serializers.SerializerMethodField()
    review = serializers.SerializerMethodField()

    @extend_schema_field(RecordOpenedSerializer(many=True))
    def get_records_opened(self, access):  # type: ignore[no-untyped-def]
        return RecordOpenedSerializer(selectors.override_records_opened(access=access), many=True).data

    @extend_schema_field(OverrideReviewSerializer(allow_null=True))
    def get_review(self, access):  # type: ignore[no-untyped-def]
        if not access.outcome:
            return None
        return {
            "outcome": access.outcome,
            "person_may_be_told": access.person_may_be_told,
            "note": access.outcome_notes,
            "reviewed_by": str(access.reviewed_by_id) if access.reviewed_by_id else None,
            "at": serializers.DateTimeField().to_representation(access.reviewed_at),
        }


class SafeguardingAccessListView(APIView):
    """The overrides the caller holds or must review (admins: all); `?review=pending`."""

    serializer_class = SafeguardingAccessSerializer
    pagination_class = api_settings.DEFAULT_PAGINATION_CLASS  # documents the paginated list

    @extend_schema(
        parameters=[OpenApiParameter("review", str, description="pending: only those not yet reviewed")],
        responses=SafeguardingAccessSerializer(many=True),
        tags=["consent"],
    )
    def get(self, request: Request) -> Response:
        qs = selectors.overrides_visible_to(user=request.user, review=request.query_params.get("review", ""))
        page = paginate(self, request, qs)
        return paginated_response(self, SafeguardingAccessSerializer(page, many=True).data)


class SafeguardingAccessDetailView(APIView):
    """One override with the records opened under it and its review."""

    serializer_class = SafeguardingAccessDetailSerializer

    @extend_schema(responses=SafeguardingAccessDetailSerializer, tags=["consent"])
    def get(self, request: Request, access_id: str) -> Response:
        access = selectors.override_get_for(user=request.user, access_id=access_id)
        return Response(SafeguardingAccessDetailSerializer(access).data)


class SafeguardingAccessReviewView(APIView):
    """Record the review: by the assigned reviewer or an admin only (403 otherwise)."""

    serializer_class = SafeguardingAccessDetailSerializer

    @extend_schema(request=OverrideReviewSerializer, responses=SafeguardingAccessDetailSerializer, tags=["consent"])
    def post(self, request: Request, access_id: str) -> Response:
        access = selectors.override_get_to_review(access_id=access_id)
        if not services.override_may_review(access=access, user=request.user):
            raise PermissionDenied("Only the override's assigned reviewer or an administrator can review it.")
        data = OverrideReviewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        reviewed = services.safeguarding_review_record(
            access=access,
            outcome=v["outcome"],
            person_may_be_told=v["person_may_be_told"],
            notes=v["note"],
            actor=request.user,
            request=request._request,
        )
        return Response(
            SafeguardingAccessDetailSerializer(
                selectors.override_get_for(user=request.user, access_id=reviewed.id)
            ).data
        )


class CaseSafeguardingAccessView(APIView):
    """Take a safeguarding override for one category of the case for 72 hours."""

    serializer_class = SafeguardingAccessSerializer

    @extend_schema(
        request=SafeguardingAccessSerializer, responses={201: SafeguardingAccessSerializer}, tags=["consent"]
    )
    def post(self, request: Request, case_id: str) -> Response:
        access = case_selectors.get_case_for(user=request.user, case_id=case_id, request=request._request)
        data = SafeguardingAccessSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        override = services.safeguarding_access_take(
            case=access.case,
            category=v.get("category") or None,
            lawful_basis=v.get("lawful_basis") or None,
            justification=v.get("justification", ""),
            actor=request.user,
            request=request._request,
        )
        return Response(SafeguardingAccessSerializer(override).data, status=status.HTTP_201_CREATED)
