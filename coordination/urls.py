from django.contrib import admin
from django.urls import include, path

from coordination.health import healthz
from workspace.views import SignInView

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/login/", SignInView.as_view(), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/v1/", include(("coordination.api_urls", "api"), namespace="api")),
    path("portal/", include("portal.meeting_urls", namespace="portal_meetings")),
    path("portal/", include("portal.urls", namespace="portal")),
    path("", include("accountability.urls", namespace="accountability")),
    path("", include("workspace.urls", namespace="workspace")),
    path("", include("cases.urls", namespace="cases")),
    path("", include("plans.urls", namespace="plans")),
    path("", include("sharing.urls", namespace="sharing")),
    path("", include("meetings.urls", namespace="meetings")),
]

handler500 = "coordination.faults.handler500"
