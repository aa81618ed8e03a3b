from django.urls import path

from workflows import staff_views

app_name = "staff"

urlpatterns = [
    path("applications/", staff_views.application_list, name="application_list"),
    path("applications/<int:pk>/", staff_views.application_detail, name="application_detail"),
    path(
        "applications/<int:pk>/documents/<int:document_pk>/",
        staff_views.document_download,
        name="document_download",
    ),
]
