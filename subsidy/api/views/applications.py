"""Applications (claims): the claim itself, its transitions, conflict declarations,
the eligibility checklist and the timeline."""

from __future__ import annotations

from typing import Any, cast

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from subsidy import selectors
from subsidy.api import serializers as s
from subsidy.api.etags import check_if_match
from subsidy.api.filters import ApplicationFilter
from subsidy.api.idempotency import IDEMPOTENCY_HEADER, KEY_REUSED, idempotent
from subsidy.api.transitions import TRANSITION_NAMES, run_transition
from subsidy.api.views.common import ERRORS, ETAG_HEADER, ETagMixin, nested_errors, raise_not_permitted
from subsidy.models import Application, CostItem, Document
from subsidy.permissions import user_is_staff_member
from subsidy.services import applications as application_services
from subsidy.services import reviews
from subsidy.services.applications import CostItemFields, PatentFields
from subsidy.web import client_ip


def visible_applications(request: Request) -> QuerySet[Application]:
    return selectors.applications_visible_to(request.user)


def application_or_404(request: Request, pk: Any) -> Application:
    return get_object_or_404(visible_applications(request), pk=pk)


def application_detail(pk: int) -> Application:
    return (
        Application.objects.select_related("applicant", "patent", "funding_round__scheme")
        .prefetch_related(
            "patent__proprietors",
            Prefetch("documents", queryset=Document.objects.order_by("uploaded_at", "id")),
            Prefetch("cost_items", queryset=CostItem.objects.order_by("paid_on", "id")),
        )
        .get(pk=pk)
    )


class ApplicationViewSet(
    ETagMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[Application],
):
    """Claims: applicants see their own (drafts included); scheme staff every submitted claim."""

    http_method_names = ["get", "post", "patch", "head", "options"]
    filterset_class = ApplicationFilter
    ordering_fields = ["created_at", "updated_at", "submitted_at", "requested_amount", "reference", "id"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self) -> QuerySet[Application]:
        return visible_applications(self.request)

    def get_serializer_class(self) -> Any:
        if self.action == "list":
            return s.ApplicationListSerializer
        return s.ApplicationDetailSerializer

    def representation(self, instance: Any, for_etag: bool = False) -> Any:
        context = {"request": self.request, "for_etag": for_etag}
        return s.ApplicationDetailSerializer(instance, context=context).data

    def detail_response(self, pk: int, code: int = status.HTTP_200_OK) -> Response:
        application = application_detail(pk)
        return Response(self.representation(application), status=code, headers={"ETag": self.etag(application)})

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.detail_response(self.get_object().pk)

    @extend_schema(
        request=s.ApplicationCreateSerializer,
        parameters=[IDEMPOTENCY_HEADER],
        responses={201: s.ApplicationDetailSerializer, **ERRORS, **KEY_REUSED},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = s.ApplicationCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)

        def run() -> Response:
            application = application_services.application_create_draft(
                applicant=serializer.validated_data["applicant"],
                funding_round=serializer.validated_data["funding_round"],
                by=request.user,
            )
            return self.detail_response(application.pk, status.HTTP_201_CREATED)

        return idempotent(request, run)

    @extend_schema(
        request=s.ApplicationUpdateSerializer,
        parameters=[ETAG_HEADER],
        responses={200: s.ApplicationDetailSerializer, **ERRORS},
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Change the patent, the cost items (replaced as a whole) or the declarations of
        a claim the applicant may still edit (a draft, or one answering an information request)."""
        application = self.get_object()
        serializer = s.ApplicationUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with transaction.atomic():
            application_services.lock_application(application)
            check_if_match(request, self.etag(application_detail(application.pk)))
            if "patent" in data:
                fields = dict(data["patent"])
                proprietors = fields.pop("proprietor_names")
                with nested_errors("patent"):
                    application_services.application_set_patent(
                        application=application,
                        by=request.user,
                        fields=cast(PatentFields, fields),
                        proprietors=proprietors,
                    )
            if "cost_items" in data:
                with nested_errors("cost_items"):
                    application_services.application_set_costs(
                        application=application,
                        by=request.user,
                        items=[cast(CostItemFields, dict(i)) for i in data["cost_items"]],
                    )
            if "declarations" in data:
                d = data["declarations"]
                application_services.application_set_declarations(
                    application=application,
                    by=request.user,
                    true_and_complete=d["declare_true_and_complete"],
                    no_double_funding=d["declare_no_double_funding"],
                    consent_to_checks=d["declare_consent_to_checks"],
                    other_public_support=d.get("other_public_support"),
                )
        return self.detail_response(application.pk)


class TransitionView(APIView):
    """POST /applications/{id}/transitions/{name}/ runs one transition through its service."""

    @extend_schema(
        request=s.TransitionSerializer,
        parameters=[
            OpenApiParameter("name", OpenApiTypes.STR, OpenApiParameter.PATH, enum=TRANSITION_NAMES),
            IDEMPOTENCY_HEADER,
        ],
        responses={200: s.ApplicationDetailSerializer, **ERRORS, **KEY_REUSED},
    )
    def post(self, request: Request, pk: int, name: str) -> Response:
        if name not in TRANSITION_NAMES:
            raise Http404
        application = application_or_404(request, pk)
        serializer = s.TransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)

        def run() -> Response:
            run_transition(name, application, request.user, dict(serializer.validated_data), client_ip(request))
            fresh = application_detail(application.pk)
            view = ApplicationViewSet(request=request, format_kwarg=None)
            return Response(view.representation(fresh), headers={"ETag": view.etag(fresh)})

        return idempotent(request, run)


class ConflictDeclarationView(APIView):
    """A staff member declares, once per case, whether they have a conflict of interest."""

    @extend_schema(request=s.ConflictDeclarationSerializer, responses={201: s.ApplicationDetailSerializer, **ERRORS})
    def post(self, request: Request, pk: int) -> Response:
        application = application_or_404(request, pk)
        if not user_is_staff_member(request.user):
            raise_not_permitted(_("Only scheme staff declare conflicts of interest."))
        serializer = s.ConflictDeclarationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        reviews.conflict_declare(
            application=application,
            by=request.user,
            has_conflict=serializer.validated_data["has_conflict"],
            note=serializer.validated_data["note"],
            ip=client_ip(request),
        )
        fresh = application_detail(application.pk)
        view = ApplicationViewSet(request=request, format_kwarg=None)
        return Response(view.representation(fresh), status=status.HTTP_201_CREATED)


class ChecklistView(APIView):
    """The reviewer's findings on the eligibility rules (an override needs a note)."""

    @extend_schema(request=s.ChecklistSerializer, responses={200: s.ApplicationDetailSerializer, **ERRORS})
    def post(self, request: Request, pk: int) -> Response:
        application = application_or_404(request, pk)
        serializer = s.ChecklistSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        findings = [(f["rule_code"], f["passed"], f["note"]) for f in serializer.validated_data["findings"]]
        with nested_errors("findings"):
            reviews.checklist_record_all(
                application=application, by=request.user, findings=findings, ip=client_ip(request)
            )
        fresh = application_detail(application.pk)
        view = ApplicationViewSet(request=request, format_kwarg=None)
        return Response(view.representation(fresh))


class TimelineView(APIView):
    """The claim's history: applicants see their steps and the comments written for them;
    staff see the whole audit trail."""

    @extend_schema(responses={200: s.TimelineEntrySerializer(many=True), 404: ERRORS[404]})
    def get(self, request: Request, pk: int) -> Response:
        application = application_or_404(request, pk)
        if user_is_staff_member(request.user):
            entries = selectors.application_history(application)
            return Response(s.AuditEntrySerializer(entries, many=True).data)
        timeline = selectors.applicant_timeline(application)
        return Response(
            s.TimelineEntrySerializer(
                [{"at": e.at, "action": e.action, "comment": e.comment} for e in timeline], many=True
            ).data
        )
