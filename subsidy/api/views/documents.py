"""Documents: the evidence of one claim."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from subsidy.api import serializers as s
from subsidy.api.views.applications import application_or_404
from subsidy.api.views.common import ERRORS, FILE_RESPONSE, attachment, staff_file_opened
from subsidy.models import Application, Document
from subsidy.services import documents as document_services


class DocumentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet[Document],
):
    """Evidence of one claim. Upload (multipart) and delete while the claim is editable."""

    serializer_class = s.DocumentSerializer
    pagination_class = None
    filter_backends: list[Any] = []

    def application(self) -> Application:
        return application_or_404(self.request, self.kwargs["application_pk"])

    def get_queryset(self) -> QuerySet[Document]:
        if getattr(self, "swagger_fake_view", False):
            return Document.objects.none()
        return Document.objects.filter(application=self.application()).order_by("uploaded_at", "id")

    @extend_schema(request=s.DocumentUploadSerializer, responses={201: s.DocumentSerializer, **ERRORS})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        application = self.application()
        serializer = s.DocumentUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        document = document_services.document_upload(
            application=application,
            by=request.user,
            doc_type=serializer.validated_data["doc_type"],
            upload=serializer.validated_data["file"],
        )
        return Response(s.DocumentSerializer(document).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance: Document) -> None:
        document_services.document_delete(document=instance, by=self.request.user)

    @extend_schema(responses={**FILE_RESPONSE, 404: ERRORS[404]})
    def download(self, request: Request, *args: Any, **kwargs: Any) -> FileResponse:
        document = self.get_object()
        staff_file_opened(request, document.application, document=document)
        return attachment(document.file.open("rb"), document.original_name, document.content_type)
