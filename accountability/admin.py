"""Admins see reminders, digests and above all failed deliveries (never silently dropped)."""

from django.contrib import admin

from accountability.models import Digest, Notification, Reminder


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "kind",
        "subject_type",
        "case_reference",
        "due_date",
        "recipient",
        "sent_at",
        "cancelled_at",
        "email_status",
        "attempts",
        "last_error",
    )
    # sent_at empty = still in the outbox (not yet delivered in-app): what waits after a broker outage.
    list_filter = (("sent_at", admin.EmptyFieldListFilter), "email_status", "kind", "subject_type", "due_date")
    search_fields = ("case_reference", "=recipient", "=subject_id")
    date_hierarchy = "created_at"


@admin.register(Digest)
class DigestAdmin(ReadOnlyAdmin):
    list_display = ("digest_date", "recipient", "email_status", "attempts", "sent_at", "last_error")
    list_filter = ("email_status", "digest_date")


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "kind", "subject_type", "case_reference", "due_date", "recipient", "read_at")
    list_filter = ("kind", "subject_type")
