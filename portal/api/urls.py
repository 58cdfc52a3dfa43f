"""/api/v1/ routes of the portal (included by coordination/api_urls.py). Every `me-*`
name is reachable by a portal account (portal.isolation)."""

from django.urls import path

from portal.api import views

urlpatterns = [
    path("me/plan/", views.MyPlanView.as_view(), name="me-plan"),
    path("me/access-log/", views.MyAccessLogView.as_view(), name="me-access-log"),
    path("me/messages/", views.MyMessagesView.as_view(), name="me-messages"),
    path("me/feedback/", views.MyFeedbackView.as_view(), name="me-feedback"),
    path("me/subject-access-requests/", views.MySarView.as_view(), name="me-subject-access-requests"),
    path("cases/<str:case_id>/messages/", views.CaseMessagesView.as_view(), name="case-messages"),
]
