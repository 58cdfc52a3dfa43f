"""/api/v1/ routes of me, people, cases and their plans (included by coordination/api_urls.py)."""

from django.urls import path

from cases.api import views

urlpatterns = [
    path("me/", views.MeView.as_view(), name="me"),
    path("people/", views.PersonListView.as_view(), name="person-list"),
    path("people/<str:person_id>/", views.PersonDetailView.as_view(), name="person-detail"),
    path("people/<str:person_id>/portal-account/", views.PortalAccountView.as_view(), name="person-portal-account"),
    path("cases/", views.CaseListView.as_view(), name="case-list"),
    path("cases/<str:case_id>/", views.CaseDetailView.as_view(), name="case-detail"),
    path("cases/<str:case_id>/assignments/", views.AssignmentListView.as_view(), name="case-assignments"),
    path("cases/<str:case_id>/goals/", views.GoalListView.as_view(), name="case-goals"),
    path("cases/<str:case_id>/milestones/", views.MilestoneListView.as_view(), name="case-milestones"),
    path("cases/<str:case_id>/reviews/", views.ReviewListView.as_view(), name="case-reviews"),
    path("milestones/<str:milestone_id>/", views.MilestoneDetailView.as_view(), name="milestone-detail"),
    path("milestones/<str:milestone_id>/complete/", views.MilestoneCompleteView.as_view(), name="milestone-complete"),
]
