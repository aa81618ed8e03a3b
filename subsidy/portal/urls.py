from django.urls import path

from subsidy.portal import letters, views

app_name = "portal"

urlpatterns = [
    path("applicants/", views.applicant_list, name="applicant_list"),
    path("applicants/new/", views.applicant_create, name="applicant_create"),
    path("applicants/claim/", views.identity_claim, name="identity_claim"),
    path("applicants/<int:applicant_pk>/", views.applicant_edit, name="applicant_edit"),
    path("applications/", views.application_list, name="application_list"),
    path("applications/new/", views.application_new, name="application_new"),
    path("applications/<int:pk>/", views.application_detail, name="application_detail"),
    path("applications/<int:pk>/applicant/", views.claim_applicant, name="claim_applicant"),
    path("applications/<int:pk>/patent/", views.claim_patent, name="claim_patent"),
    path("applications/<int:pk>/costs/", views.claim_costs, name="claim_costs"),
    path("applications/<int:pk>/documents/", views.claim_documents, name="claim_documents"),
    path(
        "applications/<int:pk>/documents/<int:document_pk>/",
        views.document_download,
        name="document_download",
    ),
    path(
        "applications/<int:pk>/documents/<int:document_pk>/delete/",
        views.document_delete,
        name="document_delete",
    ),
    path("applications/<int:pk>/letters/<int:letter_pk>/", letters.letter_download, name="letter_download"),
    path("applications/<int:pk>/declarations/", views.claim_declarations, name="claim_declarations"),
    path("applications/<int:pk>/review/", views.claim_review, name="claim_review"),
    path("applications/<int:pk>/withdraw/", views.application_withdraw, name="application_withdraw"),
    path("applications/<int:pk>/email-language/", views.application_email_language, name="application_email_language"),
]
