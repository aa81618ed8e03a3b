"""Applicant profiles."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from subsidy import selectors
from subsidy.api import serializers as s
from subsidy.api.etags import check_if_match
from subsidy.api.views.common import ERRORS, ETAG_HEADER, ETagMixin
from subsidy.models import Applicant
from subsidy.services import applicants as applicant_services
from subsidy.web import client_ip


class ApplicantViewSet(
    ETagMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[Applicant],
):
    """The caller's own applicant profiles (an agency sees those it is authorised for)."""

    serializer_class = s.ApplicantSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    ordering_fields = ["name", "id"]
    ordering = ["name", "id"]

    def get_queryset(self) -> QuerySet[Applicant]:
        return selectors.applicants_for_user(self.request.user)

    def representation(self, instance: Any, for_etag: bool = False) -> Any:
        return s.ApplicantSerializer(instance).data

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        applicant = self.get_object()
        return Response(self.representation(applicant), headers={"ETag": self.etag(applicant)})

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = applicant_services.applicant_create(
            by=self.request.user, fields=serializer.validated_data, ip=client_ip(self.request)
        )

    @extend_schema(parameters=[ETAG_HEADER], responses={200: s.ApplicantSerializer, **ERRORS})
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        applicant = self.get_object()
        serializer = s.ApplicantSerializer(applicant, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            locked = Applicant.objects.select_for_update().get(pk=applicant.pk)
            check_if_match(request, self.etag(locked))
            updated = applicant_services.applicant_update(
                applicant=locked, by=request.user, fields=serializer.validated_data, ip=client_ip(request)
            )
        return Response(self.representation(updated), headers={"ETag": self.etag(updated)})
