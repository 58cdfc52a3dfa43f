from django.urls import path

from plans import views

app_name = "plans"

urlpatterns = [
    path("cases/<str:case_id>/goals/new/", views.goal_add, name="goal_add"),
    path("cases/<str:case_id>/milestones/new/", views.milestone_add, name="milestone_add"),
    path("cases/<str:case_id>/reviews/new/", views.review_add, name="review_add"),
    path("milestones/<str:milestone_id>/handover/", views.milestone_handover, name="milestone_handover"),
    path("milestones/<str:milestone_id>/complete/", views.milestone_complete, name="milestone_complete"),
    path("reviews/<str:review_id>/handover/", views.review_handover, name="review_handover"),
    path("reviews/<str:review_id>/complete/", views.review_complete, name="review_complete"),
]
