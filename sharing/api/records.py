"""/api/v1/ records of a case, one record, a case's records as CSV.

Thin: validate, call one selector or service, render. Which records a caller sees
is decided by cases.sharing through cases.selectors (never filtered here)."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from agencies.throttling import ExportThrottle, SearchThrottle
from agencies.validation import LONG_TEXT_MAX
from cases import selectors as case_selectors
from sharing import selectors, services
from sharing.models import Category, Record


def paginate(view: APIView, request: Request, queryset: Any) -> list[Any]:
    """The page of `queryset` asked for, paginated as the rest of the API."""
    pagination_class: Any = api_settings.DEFAULT_PAGINATION_CLASS
    view._paginator = pagination_class()  # type: ignore[attr-defined]
    page = view._paginator.paginate_queryset(queryset, request, view=view)  # type: ignore[attr-defined]
    return list(page or [])


def paginated_response(view: APIView, data: Any) -> Response:
    """{count, next, previous, results}."""
    return view._paginator.get_paginated_response(data)  # type: ignore[attr-defined]


class RecordSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    case = serializers.UUIDField(source="case_id", read_only=True)
    category = serializers.CharField()
    about = serializers.SerializerMethodField()
    text = serializers.CharField()
    author = serializers.UUIDField(source="author_id", read_only=True)
    author_name = serializers.CharField(source="author.full_name", read_only=True)
    author_agency = serializers.UUIDField(source="author_agency_id", read_only=True)
    corrects = serializers.UUIDField(source="corrects_id", read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)
    basis = serializers.CharField(read_only=True, help_text="own_agency, coordination, consent or override")

    def get_about(self, record: Record) -> list[str]:
        return [str(p.pk) for p in record.about.all()]


class RecordWriteSerializer(serializers.Serializer):
    category = serializers.CharField(
        required=False, allow_blank=True, max_length=20, help_text=", ".join(Category.values)
    )
    about = serializers.ListField(
        child=serializers.UUIDField(), required=False, help_text="Person ids; default all the case's people"
    )
    text = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False, max_length=LONG_TEXT_MAX)
    corrects = serializers.UUIDField(required=False, allow_null=True, help_text="The record this one corrects")


class CaseRecordListView(APIView):
    """Records of a case the caller may see (each listed record is audited with its basis);
    POST writes a record (contributors on the case)."""

    serializer_class = RecordSerializer
    throttle_classes = [SearchThrottle]  # searches (?q=) per user
    pagination_class = api_settings.DEFAULT_PAGINATION_CLASS  # documents the paginated list

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="Text to search for"),
            OpenApiParameter("category", str, description="Only this category"),
        ],
        responses=RecordSerializer(many=True),
        tags=["records"],
    )
    def get(self, request: Request, case_id: str) -> Response:
        access = case_selectors.get_case_for(user=request.user, case_id=case_id, request=request._request)
        records = selectors.record_list_visible_to(
            user=request.user,
            case=access.case,
            query=request.query_params.get("q", ""),
            category=request.query_params.get("category", ""),
            request=request._request,
        )
        page = paginate(self, request, records)
        return paginated_response(self, RecordSerializer(page, many=True).data)

    @extend_schema(request=RecordWriteSerializer, responses={201: RecordSerializer}, tags=["records"])
    def post(self, request: Request, case_id: str) -> Response:
        access = case_selectors.get_case_for(
            user=request.user, case_id=case_id, perm=case_selectors.CONTRIBUTE, request=request._request
        )
        data = RecordWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        record = services.record_write(
            case=access.case,
            category=v.get("category") or None,
            text=v.get("text", ""),
            about=v.get("about"),
            corrects=v.get("corrects"),
            actor=request.user,
            request=request._request,
        )
        shown = selectors.record_get_for(user=request.user, record_id=record.id, audit=False)
        return Response(RecordSerializer(shown).data, status=status.HTTP_201_CREATED)


class RecordDetailView(APIView):
    """One record: 404 when the caller may not see it; every successful GET is audited."""

    serializer_class = RecordSerializer

    @extend_schema(responses=RecordSerializer, tags=["records"])
    def get(self, request: Request, record_id: str) -> Response:
        record = selectors.record_get_for(user=request.user, record_id=record_id, request=request._request)
        return Response(RecordSerializer(record).data)


def _cells(row: Any) -> list[Any]:
    # A leading =, +, - or @ would be run as a formula by spreadsheet programs.
    return [f"'{c}" if isinstance(c, str) and c[:1] in ("=", "+", "-", "@") else c for c in row]


def csv_response(rows: Any, filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    writer = csv.writer(response)
    for row in rows:
        writer.writerow(_cells(row))
    return response


class _Line:
    """A file-like object whose write returns the line, for csv.writer in a stream."""

    def write(self, value: str) -> str:
        return value


def csv_streaming_response(rows: Iterable[Any], filename: str) -> StreamingHttpResponse:
    """CSV sent row by row as `rows` yields them (large exports never sit in memory)."""
    writer = csv.writer(_Line())
    lines = (writer.writerow(_cells(row)) for row in rows)
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


class CaseRecordExportView(APIView):
    """The case's records the caller may see, as CSV (each exported record is audited)."""

    throttle_classes = [ExportThrottle]

    @extend_schema(responses={(200, "text/csv"): str}, tags=["records"])
    def get(self, request: Request, case_id: str) -> HttpResponse:
        access = case_selectors.get_case_for(user=request.user, case_id=case_id, request=request._request)
        rows = selectors.record_export_rows(user=request.user, case=access.case, request=request._request)
        return csv_response(rows, f"{access.case.reference}-records.csv")
