from django.urls import path

from cases import views
from cases.urls_sharing import urlpatterns as sharing_urlpatterns

app_name = "cases"

urlpatterns = [
    path("", views.my_work, name="my_work"),
    path("team/", views.team, name="team"),
    path("cases/", views.case_list, name="case_list"),
    path("cases/new/", views.case_open, name="case_open"),
    path("cases/<str:case_id>/", views.case_detail, name="case_detail"),
    path("cases/<str:case_id>/sharing/", views.case_sharing, name="case_sharing"),
    path("cases/<str:case_id>/team/add/", views.assignment_add, name="assignment_add"),
    path("cases/<str:case_id>/team/<str:assignment_id>/end/", views.assignment_end, name="assignment_end"),
    path("cases/<str:case_id>/goals/new/", views.goal_add, name="goal_add"),
    path("cases/<str:case_id>/milestones/new/", views.milestone_add, name="milestone_add"),
    path("cases/<str:case_id>/reviews/new/", views.review_add, name="review_add"),
    path("cases/<str:case_id>/close/", views.case_close, name="case_close"),
    path("milestones/<str:milestone_id>/handover/", views.milestone_handover, name="milestone_handover"),
    path("milestones/<str:milestone_id>/complete/", views.milestone_complete, name="milestone_complete"),
    path("reviews/<str:review_id>/handover/", views.review_handover, name="review_handover"),
    path("reviews/<str:review_id>/complete/", views.review_complete, name="review_complete"),
    path("people/", views.person_list, name="person_list"),
    path("people/new/", views.person_register, name="person_register"),
    path("people/<str:person_id>/", views.person_detail, name="person_detail"),
]

# Records, consent, safeguarding overrides and the audit trail (cases/urls_sharing.py).
urlpatterns += sharing_urlpatterns
