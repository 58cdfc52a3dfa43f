"""/api/v1/: each app contributes its own urls module."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("", include("agencies.api.urls")),
    path("", include("cases.api.urls")),
    path("", include("plans.api.urls")),
    path("", include("accountability.api.urls")),
    path("", include("sharing.api.urls")),
    path("", include("meetings.api.urls")),
]
