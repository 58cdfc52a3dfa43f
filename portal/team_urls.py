"""The professional side of the portal: the case page's section of what the person sees
and says, and the lead worker's reply."""

from django.urls import path

from portal import views

app_name = "portal_team"

urlpatterns = [
    path("cases/<str:case_id>/portal/", views.case_portal, name="case_portal"),
    path("cases/<str:case_id>/portal/reply/", views.case_portal_reply, name="case_portal_reply"),
]
