"""Pages of records, consent, overrides and the audit trail."""

from django.urls import path

from sharing import views as v

app_name = "sharing"

urlpatterns = [
    path("cases/<str:case_id>/sharing/", v.case_sharing, name="case_sharing"),
    path("cases/<str:case_id>/records/", v.record_list, name="record_list"),
    path("cases/<str:case_id>/records/new/", v.record_write, name="record_write"),
    path("cases/<str:case_id>/records/export.csv", v.record_export, name="record_export"),
    path("cases/<str:case_id>/safeguarding-access/new/", v.override_take, name="override_take"),
    path("records/search/", v.record_search, name="record_search"),
    path("records/<str:record_id>/", v.record_detail, name="record_detail"),
    path("people/<str:person_id>/consents/", v.person_consents, name="person_consents"),
    path("people/<str:person_id>/consents/new/", v.consent_record, name="consent_record"),
    path("consents/<str:consent_id>/withdraw/", v.consent_withdraw, name="consent_withdraw"),
    path("overrides/<str:access_id>/end/", v.override_end, name="override_end"),
    path("governance/reviews/", v.review_queue, name="review_queue"),
    path("governance/reviews/<str:access_id>/", v.review_record, name="review_record"),
    path("governance/subject-access/", v.sar_queue, name="sar_queue"),
    path("governance/subject-access/<str:sar_id>/", v.sar_detail, name="sar_detail"),
    path("audit/", v.audit_trail, name="audit_trail"),
    path("audit/export.csv", v.audit_export, name="audit_export"),
    path("audit/suggest/", v.audit_suggest, name="audit_suggest"),
    path("governance/overrides/<str:access_id>/records/", v.override_records, name="override_records"),
]
