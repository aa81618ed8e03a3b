"""API views: thin. They find the record through the caller's own querysets (so other
people's records are 404, as on the web pages), call the services, and serialize."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import APIView

from subsidy import selectors
from subsidy.api import serializers as s
from subsidy.api.etags import check_if_match, etag_of
from subsidy.api.filters import ApplicationFilter, BatchFilter, FundingRoundFilter
from subsidy.api.idempotency import IDEMPOTENCY_HEADER, KEY_REUSED, idempotent
from subsidy.api.permissions import IsFinanceViewer
from subsidy.api.transitions import TRANSITION_NAMES, run_transition
from subsidy.models import Applicant, Application, Batch, CostItem, Document, FundingRound, Letter
from subsidy.permissions import user_is_staff_member
from subsidy.services import applicants as applicant_services
from subsidy.services import applications as application_services
from subsidy.services import batches as batch_services
from subsidy.services import documents as document_services
from subsidy.services import reviews
from subsidy.services.applications import CostItemFields, PatentFields
from subsidy.web import client_ip, private_file_response

ETAG_HEADER = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description="The ETag of the version being changed (from the last GET).",
)
ERRORS = {
    400: OpenApiResponse(description="Field-level validation errors, or a rule of the scheme refuses the request."),
    403: OpenApiResponse(description="The caller's role may not do this; `detail` says why."),
    404: OpenApiResponse(description="No such record among those the caller may see."),
    409: OpenApiResponse(description="Not possible in the record's current state; `detail` says why."),
}
FILE_RESPONSE = {(200, "application/octet-stream"): OpenApiTypes.BINARY}


def attachment(handle: Any, filename: str, content_type: str) -> FileResponse:
    return private_file_response(handle, filename=filename, content_type=content_type)


def staff_file_opened(request: Request, application: Application, *, document: Any = None, letter: Any = None) -> None:
    """Staff opening a file that shows a full number: role-checked and audited, as on the
    staff pages (subsidy.services.applicants.applicant_file_open). The applicant's side
    sees its own files."""
    if user_is_staff_member(request.user):
        applicant_services.applicant_file_open(
            application=application, by=request.user, document=document, letter=letter, ip=client_ip(request)
        )


# --------------------------------------------------------------------------
# Funding rounds and applicants
# --------------------------------------------------------------------------


class FundingRoundViewSet(viewsets.ReadOnlyModelViewSet[FundingRound]):
    """Funding rounds: every number the rules use. Readable by every signed-in caller."""

    serializer_class = s.FundingRoundSerializer
    queryset = FundingRound.objects.all()
    filterset_class = FundingRoundFilter
    ordering_fields = ["opens_on", "closes_on", "name", "code"]
    ordering = ["-opens_on", "id"]

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "today": timezone.localdate()}


class ETagMixin:
    """GET sends the ETag; PATCH needs the same tag in If-Match (412 if stale, 428 if missing)."""

    def etag(self, instance: Any) -> str:
        """A digest of the representation, the same in every language and for every caller."""
        with translation.override("en"):
            data = dict(self.representation(instance, for_etag=True))
        data.pop("available_transitions", None)
        return etag_of(data)

    def representation(self, instance: Any, for_etag: bool = False) -> Any:
        raise NotImplementedError


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


# --------------------------------------------------------------------------
# Applications
# --------------------------------------------------------------------------


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
                )
        return self.detail_response(application.pk)


@contextmanager
def nested_errors(key: str) -> Iterator[None]:
    """Field errors of a part of the request are reported under that part's name."""
    try:
        yield
    except DjangoValidationError as error:
        raise ValidationError({key: as_serializer_error(error)}) from error


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


def raise_not_permitted(message: Any) -> None:
    from subsidy.exceptions import NotPermitted

    raise NotPermitted(message)


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


# --------------------------------------------------------------------------
# Documents and letters
# --------------------------------------------------------------------------


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


# --------------------------------------------------------------------------
# Disbursement batches (finance staff act; auditors and scheme administrators read)
# --------------------------------------------------------------------------

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
