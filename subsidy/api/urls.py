"""/api/v1/…, the OpenAPI schema at /api/schema/ and its documentation pages."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny
from rest_framework.routers import DefaultRouter

from subsidy.api.docs import RedocView
from subsidy.api.token_views import ApiTokenViewSet, TokenView
from subsidy.api.views.applicants import ApplicantViewSet
from subsidy.api.views.applications import (
    ApplicationViewSet,
    ChecklistView,
    ConflictDeclarationView,
    TimelineView,
    TransitionView,
)
from subsidy.api.views.batches import BatchViewSet
from subsidy.api.views.documents import DocumentViewSet
from subsidy.api.views.letters import LetterVerifyView, LetterViewSet
from subsidy.api.views.rounds import FundingRoundViewSet

router = DefaultRouter()
router.register("rounds", FundingRoundViewSet, basename="round")
router.register("applicants", ApplicantViewSet, basename="applicant")
router.register("applications", ApplicationViewSet, basename="application")
router.register("batches", BatchViewSet, basename="batch")

documents = DocumentViewSet.as_view({"get": "list", "post": "create"})
document = DocumentViewSet.as_view({"get": "retrieve", "delete": "destroy"})
document_download = DocumentViewSet.as_view({"get": "download"})
letters = LetterViewSet.as_view({"get": "list"})
letter_download = LetterViewSet.as_view({"get": "download"})
api_tokens = ApiTokenViewSet.as_view({"get": "list"})
api_token = ApiTokenViewSet.as_view({"delete": "destroy"})

app = "applications/<int:application_pk>"
v1: list[URLPattern | URLResolver] = [
    path("auth/token/", TokenView.as_view(), name="token"),
    path("auth/tokens/", api_tokens, name="api_tokens"),
    path("auth/tokens/<int:pk>/", api_token, name="api_token"),
    path("applications/<int:pk>/transitions/<str:name>/", TransitionView.as_view(), name="transition"),
    path("applications/<int:pk>/conflict-declaration/", ConflictDeclarationView.as_view(), name="conflict"),
    path("applications/<int:pk>/checklist/", ChecklistView.as_view(), name="checklist"),
    path("applications/<int:pk>/timeline/", TimelineView.as_view(), name="timeline"),
    path(f"{app}/documents/", documents, name="documents"),
    path(f"{app}/documents/<int:pk>/", document, name="document"),
    path(f"{app}/documents/<int:pk>/download/", document_download, name="document_download"),
    path(f"{app}/letters/", letters, name="letters"),
    path(f"{app}/letters/<int:pk>/download/", letter_download, name="letter_download"),
    path("letters/verify/<str:token>/", LetterVerifyView.as_view(), name="letter_verify"),
    path(
        "batches/<int:pk>/transitions/<str:name>/",
        BatchViewSet.as_view({"post": "transition"}),
        name="batch_transition",
    ),
    path("batches/<int:pk>/lines/", BatchViewSet.as_view({"get": "lines"}), name="batch_lines"),
    path(
        "batches/<int:pk>/exports/",
        BatchViewSet.as_view({"get": "exports", "post": "export"}),
        name="batch_exports",
    ),
    path(
        "batches/<int:pk>/bank-returns/",
        BatchViewSet.as_view({"post": "bank_return"}),
        name="batch_bank_returns",
    ),
    path("", include(router.urls)),
]

app_name = "api"
urlpatterns = [
    path("v1/", include(v1)),
    path("schema/", SpectacularAPIView.as_view(permission_classes=[AllowAny]), name="schema"),
    # The split view serves Swagger UI's start-up script as a file: the
    # Content-Security-Policy allows no inline script.
    path(
        "docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema", permission_classes=[AllowAny]), name="docs"
    ),
    path("redoc/", RedocView.as_view(url_name="api:schema", permission_classes=[AllowAny]), name="redoc"),
]
