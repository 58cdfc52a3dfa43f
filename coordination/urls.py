from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from coordination.health import healthz
from workspace.signin import SignInView

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/login/", SignInView.as_view(), name="login"),
    # Password reset is off (docs/decisions/0034): no /accounts/password_reset/ at all.
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Passkeys (django-otp-webauthn): the JSON steps of registering one and signing in with one.
    path("accounts/two-factor/passkeys/", include("django_otp_webauthn.urls")),
    path("accounts/password_change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password_change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("api/v1/", include(("coordination.api_urls", "api"), namespace="api")),
    path("portal/", include("portal.meeting_urls", namespace="portal_meetings")),
    path("portal/", include("portal.urls", namespace="portal")),
    path("", include("portal.team_urls", namespace="portal_team")),
    path("", include("accountability.urls", namespace="accountability")),
    path("", include("workspace.urls", namespace="workspace")),
    path("", include("cases.urls", namespace="cases")),
    path("", include("plans.urls", namespace="plans")),
    path("", include("sharing.urls", namespace="sharing")),
    path("", include("meetings.urls", namespace="meetings")),
]

handler500 = "coordination.faults.handler500"
