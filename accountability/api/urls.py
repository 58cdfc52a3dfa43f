from django.urls import path

from accountability.api import views

urlpatterns = [
    path("me/notifications/", views.MyNotificationsView.as_view(), name="my-notifications"),
]
