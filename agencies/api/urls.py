"""/api/v1/ routes of the directory and the token login (included by coordination/api_urls.py)."""

from django.urls import path

from agencies.api import views

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="auth-token"),
    path("agencies/", views.AgencyListView.as_view(), name="agency-list"),
    path("agencies/<str:agency_id>/", views.AgencyDetailView.as_view(), name="agency-detail"),
    path("teams/", views.TeamListView.as_view(), name="team-list"),
    path("teams/<str:team_id>/", views.TeamDetailView.as_view(), name="team-detail"),
    path("professionals/", views.ProfessionalListView.as_view(), name="professional-list"),
    path("professionals/<str:professional_id>/", views.ProfessionalDetailView.as_view(), name="professional-detail"),
]
