"""Minimal admin for cases/: superusers may look up a case by reference to see
its status and lead professional. Nothing about the people or their records is
shown here (that is read, and audited, through the case pages), and nothing is
changed here: every change to a case goes through cases.services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from cases.models import Case, GlossaryTerm


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ["reference", "status", "opened_at", "lead_professional", "closed_at"]
    list_filter = ["status"]
    search_fields = ["reference"]
    list_select_related = ["lead_professional"]
    fields = ("reference", "status", "opened_at", "lead_professional", "closed_at")
    readonly_fields = ("reference", "status", "opened_at", "lead_professional", "closed_at")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(GlossaryTerm)
class GlossaryTermAdmin(admin.ModelAdmin):
    """The jargon flagged on plain summaries and plain titles: admins keep it up to date."""

    list_display = ["term", "plain"]
    search_fields = ["term", "plain"]
    fields = ("term", "plain")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_active and request.user.is_superuser
