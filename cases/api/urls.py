"""/api/v1/ routes of me, people, cases and the case team (included by coordination/api_urls.py)."""

from django.urls import path

from cases.api import views

urlpatterns = [
    path("me/", views.MeView.as_view(), name="me"),
    path("people/", views.PersonListView.as_view(), name="person-list"),
    path("people/<str:person_id>/", views.PersonDetailView.as_view(), name="person-detail"),
    path("people/<str:person_id>/portal-account/", views.PortalAccountView.as_view(), name="person-portal-account"),
    path("people/<str:person_id>/relationships/", views.RelationshipListView.as_view(), name="person-relationships"),
    path("people/<str:person_id>/proxies/", views.ProxyListView.as_view(), name="person-proxies"),
    path("people/<str:person_id>/proxies/<str:proxy_id>/", views.ProxyDetailView.as_view(), name="person-proxy-detail"),
    path(
        "people/<str:person_id>/proxies/<str:proxy_id>/freeze/",
        views.ProxyFreezeView.as_view(),
        name="person-proxy-freeze",
    ),
    path("households/", views.HouseholdListView.as_view(), name="household-list"),
    path("cases/", views.CaseListView.as_view(), name="case-list"),
    path("cases/<str:case_id>/", views.CaseDetailView.as_view(), name="case-detail"),
    path("cases/<str:case_id>/assignments/", views.AssignmentListView.as_view(), name="case-assignments"),
]
