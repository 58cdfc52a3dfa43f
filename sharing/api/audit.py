"""/api/v1/audit/: the audit trail for information-governance leads and admins."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http.response import HttpResponseBase
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from agencies.throttling import ExportThrottle
from sharing import selectors
from sharing.api.records import csv_streaming_response, paginate, paginated_response
from sharing.audit_labels import action_label

AUDIT_PARAMETERS = [
    OpenApiParameter("case", str, description="Case id"),
    OpenApiParameter("person", str, description="Person id"),
    OpenApiParameter("actor", str, description="Professional id"),
    OpenApiParameter("action", str, description="Action code, or a prefix ending in '.' (e.g. cases.record.)"),
    OpenApiParameter("from", str, description="From this date (YYYY-MM-DD), inclusive"),
    OpenApiParameter("to", str, description="Up to this date (YYYY-MM-DD), inclusive"),
]


class AuditEventSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    action = serializers.CharField()
    action_label = serializers.SerializerMethodField(help_text="The action in words")
    actor = serializers.UUIDField(allow_null=True)
    actor_name = serializers.CharField()
    actor_agency = serializers.UUIDField(allow_null=True)
    person = serializers.UUIDField(allow_null=True)
    case = serializers.UUIDField(allow_null=True)
    subject_type = serializers.CharField()
    subject_id = serializers.UUIDField(allow_null=True)
    subject_agency = serializers.UUIDField(allow_null=True)
    basis = serializers.CharField()
    ip = serializers.IPAddressField(allow_null=True)
    at = serializers.DateTimeField()

    def get_action_label(self, event: Any) -> str:
        return action_label(event.action)

    def to_representation(self, event: Any) -> dict[str, Any]:
        """The fields above, each as DRF writes it, without DRF's walk over the fields, which
        was most of a trail page's CPU (issue 9; tests/sharing/test_audit_api.py holds the two
        equal)."""
        at = event.at
        return {
            "id": event.id,
            "action": event.action,
            "action_label": action_label(event.action),
            "actor": _text(event.actor),
            "actor_name": event.actor_name,
            "actor_agency": _text(event.actor_agency),
            "person": _text(event.person),
            "case": _text(event.case),
            "subject_type": event.subject_type,
            "subject_id": _text(event.subject_id),
            "subject_agency": _text(event.subject_agency),
            "basis": event.basis,
            "ip": _text(event.ip),
            "at": None if at is None else self.fields["at"].to_representation(at),
        }


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _events(request: Request, action: str):  # type: ignore[no-untyped-def]
    if not selectors.can_read_audit(user=request.user):
        raise PermissionDenied("Only information-governance leads and administrators read the audit trail.")
    return selectors.audit_list_visible_to(
        user=request.user, filters=request.query_params.dict(), action=action, request=request._request
    )


class AuditListView(APIView):
    """Audit events: an IG lead sees events whose actor belongs to their agency and events
    about records their agency wrote; admins see all."""

    serializer_class = AuditEventSerializer
    pagination_class = api_settings.DEFAULT_PAGINATION_CLASS  # documents the paginated list

    @extend_schema(parameters=AUDIT_PARAMETERS, responses=AuditEventSerializer(many=True), tags=["audit"])
    def get(self, request: Request) -> Response:
        page = paginate(self, request, _events(request, selectors.AUDIT_TRAIL_VIEWED))
        return paginated_response(self, AuditEventSerializer(page, many=True).data)


class AuditExportView(APIView):
    """The same events as CSV, streamed (at most AUDIT_EXPORT_LIMIT rows, newest first), with
    person names, case references and actions in words beside their ids and codes."""

    throttle_classes = [ExportThrottle]

    @extend_schema(parameters=AUDIT_PARAMETERS, responses={(200, "text/csv"): str}, tags=["audit"])
    def get(self, request: Request) -> HttpResponseBase:
        if not selectors.can_read_audit(user=request.user):
            raise PermissionDenied("Only information-governance leads and administrators read the audit trail.")
        filters = request.query_params.dict()
        rows = selectors.audit_export_rows(user=request.user, filters=filters, request=request._request)
        return csv_streaming_response(rows, "audit.csv")
