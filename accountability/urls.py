from django.urls import path

from accountability import views

app_name = "accountability"

urlpatterns = [
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/read-all/", views.notification_read_all, name="notification_read_all"),
    path("notifications/settings/", views.reminder_settings, name="reminder_settings"),
    path("notifications/calendar/reset/", views.calendar_reset, name="calendar_reset"),
    path("notifications/<str:notification_id>/read/", views.notification_read, name="notification_read"),
    path("calendar/<str:token>.ics", views.calendar, name="calendar_feed"),
]
