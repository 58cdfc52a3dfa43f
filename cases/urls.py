from django.urls import path

from cases import views

app_name = "cases"

urlpatterns = [
    path("cases/", views.case_list, name="case_list"),
    path("cases/new/", views.case_open, name="case_open"),
    path("cases/<str:case_id>/", views.case_detail, name="case_detail"),
    path("cases/<str:case_id>/team/add/", views.assignment_add, name="assignment_add"),
    path("cases/<str:case_id>/team/<str:assignment_id>/end/", views.assignment_end, name="assignment_end"),
    path("cases/<str:case_id>/close/", views.case_close, name="case_close"),
    path("people/", views.person_list, name="person_list"),
    path("people/new/", views.person_register, name="person_register"),
    path("people/<str:person_id>/", views.person_detail, name="person_detail"),
]
