from django.urls import path

from workspace import views

app_name = "workspace"

urlpatterns = [
    path("", views.my_work, name="my_work"),
    path("team/", views.team, name="team"),
    path("team/<str:member_id>/", views.team_member, name="team_member"),
]
