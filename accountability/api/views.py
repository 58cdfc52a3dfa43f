"""GET /api/v1/me/notifications/: the caller's reminders and escalations."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, serializers

from accountability.models import Notification
from accountability.selectors import notification_list_for
from agencies.selectors import professional_for


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "subject_type",
            "subject_id",
            "due_date",
            "case_reference",
            "link",
            "created_at",
            "read_at",
        ]
        read_only_fields = fields


@extend_schema_view(
    get=extend_schema(parameters=[OpenApiParameter("unread", bool, description="Only unread notifications")])
)
class MyNotificationsView(generics.ListAPIView):
    """The caller's notifications, newest first; `?unread=true` for unread only. Paginated."""

    serializer_class = NotificationSerializer

    def get_queryset(self) -> QuerySet[Notification]:
        professional = professional_for(self.request.user)
        if professional is None:  # admins and service users have no notifications
            return Notification.objects.none()
        unread = self.request.query_params.get("unread", "").lower() in {"1", "true", "yes"}
        return notification_list_for(professional=professional, unread_only=unread)
