"""The family's meeting pages in the portal (wired by coordination/urls.py beside portal.urls)."""

from django.urls import path

from portal import meeting_views

app_name = "portal_meetings"

urlpatterns = [
    path("meetings/", meeting_views.meeting_list, name="meeting_list"),
    path("meetings/<str:meeting_id>/", meeting_views.meeting_page, name="meeting"),
]
