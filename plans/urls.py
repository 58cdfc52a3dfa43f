from django.urls import path

from plans import views

app_name = "plans"

urlpatterns = [
    path("cases/<str:case_id>/goals/new/", views.goal_add, name="goal_add"),
    path("cases/<str:case_id>/milestones/new/", views.milestone_add, name="milestone_add"),
    path("cases/<str:case_id>/reviews/new/", views.review_add, name="review_add"),
    path("milestones/<str:milestone_id>/handover/", views.milestone_handover, name="milestone_handover"),
    path("milestones/<str:item_id>/complete/", views.milestone_complete, name="milestone_complete"),
    path("reviews/<str:review_id>/handover/", views.review_handover, name="review_handover"),
    path("reviews/<str:item_id>/complete/", views.review_complete, name="review_complete"),
    path("goals/<str:goal_id>/edit/", views.goal_edit, name="goal_edit"),
    path("goals/<str:goal_id>/outcome/", views.goal_outcome, name="goal_outcome"),
    path("milestones/<str:milestone_id>/edit/", views.milestone_edit, name="milestone_edit"),
    path("milestones/<str:item_id>/due-date/", views.milestone_redate, name="milestone_redate"),
    path("milestones/<str:item_id>/cancel/", views.milestone_cancel, name="milestone_cancel"),
    path("milestones/<str:item_id>/reopen/", views.milestone_reopen, name="milestone_reopen"),
    path("milestones/<str:item_id>/undo-complete/", views.milestone_complete_undo, name="milestone_complete_undo"),
    path("reviews/<str:item_id>/due-date/", views.review_redate, name="review_redate"),
    path("reviews/<str:item_id>/cancel/", views.review_cancel, name="review_cancel"),
    path("reviews/<str:item_id>/reopen/", views.review_reopen, name="review_reopen"),
    path("reviews/<str:item_id>/undo-complete/", views.review_complete_undo, name="review_complete_undo"),
]
