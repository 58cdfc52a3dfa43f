from django.urls import path

from workspace import signin, views

app_name = "workspace"

urlpatterns = [
    path("", views.my_work, name="my_work"),
    path("team/", views.team, name="team"),
    path("team/<str:member_id>/", views.team_member, name="team_member"),
    path("accounts/two-factor/", signin.two_factor_setup, name="two_factor_setup"),
    path("accounts/two-factor/verify/", signin.two_factor_verify, name="two_factor_verify"),
    path("accounts/two-factor/recovery-codes/", signin.recovery_codes, name="recovery_codes"),
    path("accounts/session/", signin.session_status, name="session_status"),
    path("accounts/session/extend/", signin.session_extend, name="session_extend"),
]
