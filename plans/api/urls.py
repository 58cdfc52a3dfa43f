"""/api/v1/ routes of the plan (included by coordination/api_urls.py)."""

from django.urls import path

from plans.api import views

urlpatterns = [
    path("cases/<str:case_id>/goals/", views.GoalListView.as_view(), name="case-goals"),
    path("cases/<str:case_id>/milestones/", views.MilestoneListView.as_view(), name="case-milestones"),
    path("cases/<str:case_id>/reviews/", views.ReviewListView.as_view(), name="case-reviews"),
    path("goals/<str:goal_id>/", views.GoalDetailView.as_view(), name="goal-detail"),
    path("milestones/<str:milestone_id>/", views.MilestoneDetailView.as_view(), name="milestone-detail"),
    path("milestones/<str:milestone_id>/complete/", views.MilestoneCompleteView.as_view(), name="milestone-complete"),
]
