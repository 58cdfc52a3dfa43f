"""The family's meeting pages in the portal (wired by coordination/urls.py beside portal.urls): the
person's own, and the same pages of a person a proxy in force may speak for."""

from django.urls import path

from portal import meeting_views

app_name = "portal_meetings"

urlpatterns = [
    path("meetings/", meeting_views.meeting_list, name="meeting_list"),
    path("meetings/<str:meeting_id>/", meeting_views.meeting_page, name="meeting"),
    path("for/<str:person_id>/meetings/", meeting_views.meeting_list, name="meeting_list_for"),
    path("for/<str:person_id>/meetings/<str:meeting_id>/", meeting_views.meeting_page, name="meeting_for"),
]
