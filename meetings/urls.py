from django.urls import path

from meetings import views

app_name = "meetings"

urlpatterns = [
    path("cases/<str:case_id>/meetings/new/", views.meeting_schedule, name="meeting_schedule"),
    path("meetings/<str:meeting_id>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<str:meeting_id>/my-view/", views.my_view, name="my_view"),
    path("meetings/<str:meeting_id>/open/", views.meeting_open, name="meeting_open"),
    path("meetings/<str:meeting_id>/cancel/", views.meeting_cancel, name="meeting_cancel"),
    path("meetings/<str:meeting_id>/attendance/", views.attendance, name="attendance"),
    path("meetings/<str:meeting_id>/decisions/new/", views.decision_add, name="decision_add"),
    path("meetings/<str:meeting_id>/close/", views.meeting_close, name="meeting_close"),
    path("meetings/views-due/<str:invitee_id>/", views.view_due, name="view_due"),
    path("meetings/dissents/<str:dissent_id>/answer/", views.dissent_answer, name="dissent_answer"),
]
