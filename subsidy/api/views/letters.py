"""Decision letters of a claim, and the public check of a letter's authenticity."""

from __future__ import annotations

import hashlib
from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from subsidy import selectors
from subsidy.api import serializers as s
from subsidy.api.views.applications import application_or_404
from subsidy.api.views.common import ERRORS, attachment, staff_file_opened
from subsidy.models import Letter


class LetterViewSet(mixins.ListModelMixin, viewsets.GenericViewSet[Letter]):
    """Decision letters of one claim that exist as files."""

    serializer_class = s.LetterSerializer
    pagination_class = None
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Letter]:
        if getattr(self, "swagger_fake_view", False):
            return Letter.objects.none()
        application = application_or_404(self.request, self.kwargs["application_pk"])
        return Letter.objects.filter(application=application).exclude(file="").order_by("-issued_at", "-id")

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY, 404: ERRORS[404]})
    def download(self, request: Request, *args: Any, **kwargs: Any) -> FileResponse:
        letter = self.get_object()
        staff_file_opened(request, letter.application, letter=letter)
        return attachment(letter.file.open("rb"), letter.file_name, "application/pdf")


class LetterVerifyView(APIView):
    """Public, like the page behind the QR code: reference, status, SHA-256 and applicant
    name; POST a copy to learn whether it is authentic."""

    permission_classes = [AllowAny]

    def letter(self, token: str) -> Letter:
        return get_object_or_404(selectors.verifiable_letters(), token=token.upper())

    def body(self, letter: Letter, authentic: bool | None) -> dict[str, Any]:
        return dict(
            s.LetterVerificationSerializer(
                {
                    "reference": letter.reference,
                    "status": letter.status,
                    "issued_at": letter.issued_at,
                    "sha256": letter.sha256,
                    "applicant_name": letter.content.get("applicant_name", ""),
                    "authentic": authentic,
                }
            ).data
        )

    @extend_schema(responses={200: s.LetterVerificationSerializer, 404: ERRORS[404]})
    def get(self, request: Request, token: str) -> Response:
        return Response(self.body(self.letter(token), None))

    @extend_schema(request=s.LetterCheckSerializer, responses={200: s.LetterVerificationSerializer, **ERRORS})
    def post(self, request: Request, token: str) -> Response:
        letter = self.letter(token)
        serializer = s.LetterCheckSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        digest = hashlib.sha256()
        for chunk in serializer.validated_data["file"].chunks():
            digest.update(chunk)
        return Response(self.body(letter, digest.hexdigest() == letter.sha256))
