"""/api/v1/ routes of records, consent, the safeguarding override and the audit trail
(included by coordination/api_urls.py)."""

from django.urls import path

from sharing.api import audit, consents, records

urlpatterns = [
    path("cases/<str:case_id>/records/", records.CaseRecordListView.as_view(), name="case-records"),
    path("cases/<str:case_id>/records/export/", records.CaseRecordExportView.as_view(), name="case-records-export"),
    path("records/<str:record_id>/", records.RecordDetailView.as_view(), name="record-detail"),
    path("people/<str:person_id>/consents/", consents.PersonConsentListView.as_view(), name="person-consents"),
    path("consents/<str:consent_id>/withdraw/", consents.ConsentWithdrawView.as_view(), name="consent-withdraw"),
    path(
        "cases/<str:case_id>/safeguarding-access/",
        consents.CaseSafeguardingAccessView.as_view(),
        name="case-safeguarding-access",
    ),
    path("safeguarding-access/", consents.SafeguardingAccessListView.as_view(), name="safeguarding-access-list"),
    path(
        "safeguarding-access/<str:access_id>/",
        consents.SafeguardingAccessDetailView.as_view(),
        name="safeguarding-access-detail",
    ),
    path(
        "safeguarding-access/<str:access_id>/review/",
        consents.SafeguardingAccessReviewView.as_view(),
        name="safeguarding-access-review",
    ),
    path("audit/", audit.AuditListView.as_view(), name="audit-list"),
    path("audit/export/", audit.AuditExportView.as_view(), name="audit-export"),
]
