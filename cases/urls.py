from django.urls import path

from cases import family_edit_views, family_views, views

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
    path("cases/<str:case_id>/family/", family_views.case_family, name="case_family"),
    path("cases/<str:case_id>/family/households/new/", family_edit_views.household_add, name="household_add"),
    path(
        "cases/<str:case_id>/family/households/<str:household_id>/edit/",
        family_edit_views.household_edit,
        name="household_edit",
    ),
    path(
        "cases/<str:case_id>/family/households/<str:household_id>/members/<str:person_id>/remove/",
        family_edit_views.household_member_remove,
        name="household_member_remove",
    ),
    path(
        "cases/<str:case_id>/family/relationships/new/",
        family_edit_views.relationship_add,
        name="case_relationship_add",
    ),
    path(
        "cases/<str:case_id>/family/relationships/<str:relationship_id>/remove/",
        family_edit_views.relationship_remove,
        name="relationship_remove",
    ),
    path("cases/<str:case_id>/plain-title/", family_views.plain_title, name="plain_title"),
    path("plain-words/", family_views.plain_words, name="plain_words"),
    path("people/<str:person_id>/relationships/new/", family_views.relationship_add, name="relationship_add"),
    path("people/<str:person_id>/portal-account/", family_views.portal_account, name="portal_account"),
    path("people/<str:person_id>/proxies/new/", family_views.proxy_add, name="proxy_add"),
    path(
        "people/<str:person_id>/proxies/<str:proxy_id>/<str:action>/",
        family_views.proxy_change,
        name="proxy_change",
    ),
]
