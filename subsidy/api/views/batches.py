"""Disbursement batches (finance staff act; auditors and scheme administrators read):
transitions, lines, bank file exports and bank returns."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse, Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from subsidy import selectors
from subsidy.api import serializers as s
from subsidy.api.filters import BatchFilter
from subsidy.api.idempotency import IDEMPOTENCY_HEADER, KEY_REUSED, idempotent
from subsidy.api.permissions import IsFinanceViewer
from subsidy.api.views.common import ERRORS, FILE_RESPONSE, attachment
from subsidy.models import Batch
from subsidy.services import batches as batch_services
from subsidy.web import client_ip

BATCH_TRANSITIONS = ["submit", "release", "cancel", "withdraw"]


class BatchViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[Batch],
):
    serializer_class = s.BatchSerializer
    permission_classes = [IsFinanceViewer]
    filterset_class = BatchFilter
    ordering_fields = ["created_at", "reference", "total_amount", "id"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self) -> QuerySet[Batch]:
        return selectors.batch_list(served_by=self.request.user)

    @extend_schema(
        request=s.BatchCreateSerializer,
        parameters=[IDEMPOTENCY_HEADER],
        responses={201: s.BatchSerializer, **ERRORS, **KEY_REUSED},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Build a draft batch of every payable claim matching the selection."""
        serializer = s.BatchCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)

        def run() -> Response:
            batch = batch_services.batch_create(by=request.user, ip=client_ip(request), **serializer.validated_data)
            return Response(s.BatchSerializer(batch).data, status=status.HTTP_201_CREATED)

        return idempotent(request, run)

    @extend_schema(
        request=s.BatchTransitionSerializer,
        parameters=[
            OpenApiParameter("name", OpenApiTypes.STR, OpenApiParameter.PATH, enum=BATCH_TRANSITIONS),
            IDEMPOTENCY_HEADER,
        ],
        responses={200: s.BatchSerializer, **ERRORS, **KEY_REUSED},
    )
    def transition(self, request: Request, pk: int, name: str) -> Response:
        if name not in BATCH_TRANSITIONS:
            raise Http404
        found = self.get_object()
        serializer = s.BatchTransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ip = client_ip(request)

        def run() -> Response:
            if name == "submit":
                batch = batch_services.batch_submit(batch=found, by=request.user, ip=ip)
            elif name == "release":
                batch = batch_services.batch_release(batch=found, by=request.user, ip=ip)
            elif name == "withdraw":
                batch = batch_services.batch_withdraw(
                    batch=found,
                    by=request.user,
                    reason=serializer.validated_data["reason"],
                    file_not_sent=serializer.validated_data["file_not_sent"],
                    ip=ip,
                )
            else:
                batch = batch_services.batch_cancel(
                    batch=found, by=request.user, reason=serializer.validated_data["reason"], ip=ip
                )
            return Response(s.BatchSerializer(batch).data)

        return idempotent(request, run)

    @extend_schema(filters=False, responses={200: s.BatchLineSerializer(many=True), 404: ERRORS[404]})
    def lines(self, request: Request, pk: int) -> Response:
        batch = self.get_object()
        page = self.paginate_queryset(selectors.batch_lines(batch))  # type: ignore[arg-type]
        data = s.BatchLineSerializer(page, many=True).data
        return self.get_paginated_response(data)

    @extend_schema(filters=False, responses={200: s.BatchExportSerializer(many=True), 404: ERRORS[404]})
    def exports(self, request: Request, pk: int) -> Response:
        batch = self.get_object()
        page = self.paginate_queryset(selectors.batch_exports(batch))  # type: ignore[arg-type]
        return self.get_paginated_response(s.BatchExportSerializer(page, many=True).data)

    @extend_schema(
        request=s.ExportRequestSerializer,
        responses={**FILE_RESPONSE, **ERRORS},
        description="Write, check and download the bank file; its SHA-256 is in the X-Content-SHA256 header.",
    )
    def export(self, request: Request, pk: int) -> FileResponse:
        batch = self.get_object()
        serializer = s.ExportRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        exported = batch_services.batch_export(
            batch=batch,
            export_format=serializer.validated_data["export_format"],
            by=request.user,
            ip=client_ip(request),
        )
        response = attachment(exported.file, exported.filename, exported.content_type)
        response["X-Content-SHA256"] = exported.sha256
        return response

    @extend_schema(request=s.BankReturnUploadSerializer, responses={200: s.ImportResultSerializer, **ERRORS})
    def bank_return(self, request: Request, pk: int) -> Response:
        """Apply the bank's return file (pain.002 or CSV): lines become paid or failed."""
        batch = self.get_object()
        serializer = s.BankReturnUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        result = batch_services.batch_import_return(
            batch=batch, data=upload.read(), filename=upload.name or "", by=request.user, ip=client_ip(request)
        )
        batch.refresh_from_db()
        return Response(
            s.ImportResultSerializer(
                {
                    "repeated": result.repeated,
                    "paid": result.paid,
                    "failed": result.failed,
                    "reported": result.reported,
                    "batch": batch,
                }
            ).data
        )
