"""/api/v1/ routes of meetings (included by coordination/api_urls.py)."""

from django.urls import path

from meetings.api import views

urlpatterns = [
    path("cases/<str:case_id>/meetings/", views.CaseMeetingListView.as_view(), name="case-meetings"),
    path("meetings/<str:meeting_id>/", views.MeetingDetailView.as_view(), name="meeting-detail"),
    path("meetings/<str:meeting_id>/my-view/", views.MyViewView.as_view(), name="meeting-my-view"),
    path("meetings/<str:meeting_id>/open/", views.MeetingOpenView.as_view(), name="meeting-open"),
    path("meetings/<str:meeting_id>/decisions/", views.DecisionListView.as_view(), name="meeting-decisions"),
    path("meetings/<str:meeting_id>/close/", views.MeetingCloseView.as_view(), name="meeting-close"),
    path("meetings/<str:meeting_id>/invite.ics", views.InvitationView.as_view(), name="meeting-invite"),
    path("meeting-dissents/<str:dissent_id>/answer/", views.DissentAnswerView.as_view(), name="dissent-answer"),
]
