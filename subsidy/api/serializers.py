"""What the API reads and writes. Writes are validated here for shape only: the
services check the scheme's rules and the models' identifiers (field-level errors)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from subsidy import identifiers
from subsidy.models import (
    Applicant,
    Application,
    ApplicationStatus,
    AuditEntry,
    Batch,
    BatchExport,
    BatchLine,
    CostItem,
    CostType,
    Currency,
    DesignatedOffice,
    Document,
    DocumentType,
    ExportFormat,
    FundingRound,
    GuangdongCity,
    Letter,
    Patent,
    PatentKind,
    PatentRoute,
    Recommendation,
    Scheme,
)
from subsidy.models.applicants import APPLICANT_EDITABLE_FIELDS
from subsidy.models.batches import mask_account
from subsidy.models.patents import PRIORITY_OFFICE_CHOICES
from subsidy.patent_numbers import Office
from subsidy.services.applications import REPLY_MAX_LENGTH


class FundingRoundSerializer(serializers.ModelSerializer[FundingRound]):
    is_open = serializers.SerializerMethodField()

    class Meta:
        model = FundingRound
        fields = [
            "id",
            "code",
            "name",
            "budget",
            "opens_on",
            "closes_on",
            "is_open",
            "grant_date_from",
            "grant_date_to",
            "claim_deadline_months",
            "per_patent_cap",
            "per_applicant_annual_cap",
            "reimbursement_rate",
            "eligible_cost_types",
            "notice_period_working_days",
            "review_sla_days",
        ]
        read_only_fields = fields

    def get_is_open(self, obj: FundingRound) -> bool:
        return obj.is_open_on(self.context["today"])


class IdentifierField(serializers.CharField):
    """An identifier as forms.fields.IdentifierField reads it: normalised first
    (subsidy.identifiers.IDENTIFIER_INPUT), its stored length checked after, so a number
    sent with spaces or in lower case counts the characters it is stored with."""

    def __init__(self, *, normalise: Callable[[str], str], max_length: int | None = None, **kwargs: Any) -> None:
        self.normalise = normalise
        super().__init__(**kwargs)
        if max_length is not None:
            self.validators.append(identifiers.MaxIdentifierLength(max_length))

    def to_internal_value(self, data: Any) -> str:
        text = super().to_internal_value(data)
        return self.normalise(text) if text else text


class ApplicantSerializer(serializers.ModelSerializer[Applicant]):
    def build_standard_field(
        self, field_name: str, model_field: models.Field[Any, Any]
    ) -> tuple[type[serializers.Field[Any, Any, Any, Any]], dict[str, Any]]:
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        normalise = identifiers.IDENTIFIER_INPUT.get(field_name)
        if normalise is not None:
            return IdentifierField, {**kwargs, "normalise": normalise}
        return field_class, kwargs

    class Meta:
        model = Applicant
        fields = ["id", *APPLICANT_EDITABLE_FIELDS, "updated_at"]
        read_only_fields = ["id", "updated_at"]
        # Uniqueness and identifiers are checked by the model's full_clean in the service.
        validators: list[Any] = []
        extra_kwargs: dict[str, dict[str, Any]] = {"uscc": {"validators": []}, "id_number": {"validators": []}}


class PatentSerializer(serializers.Serializer[Patent]):
    office = serializers.ChoiceField(
        choices=Office.choices,
        required=False,
        help_text=_("The office that granted the patent; omit it under a scheme of one office."),
    )
    number = IdentifierField(
        normalise=identifiers.IDENTIFIER_INPUT["number"],
        max_length=30,
        label=_("patent number"),
        help_text=_("As the office prints it, e.g. HK1234567 B or US 11,234,567 B2."),
    )
    kind = serializers.ChoiceField(choices=PatentKind.choices, default=PatentKind.STANDARD)
    route = serializers.ChoiceField(choices=PatentRoute.choices, allow_blank=True, default="", help_text=_("HK only."))
    designated_office = serializers.ChoiceField(choices=DesignatedOffice.choices, allow_blank=True, default="")
    designated_application_number = IdentifierField(
        normalise=identifiers.IDENTIFIER_INPUT["designated_application_number"],
        max_length=30,
        allow_blank=True,
        default="",
    )
    priority_office = serializers.ChoiceField(choices=PRIORITY_OFFICE_CHOICES, allow_blank=True, default="")
    priority_number = IdentifierField(
        normalise=identifiers.IDENTIFIER_INPUT["priority_number"], max_length=40, allow_blank=True, default=""
    )
    title_zh = serializers.CharField(max_length=500)
    title_en = serializers.CharField(max_length=500, allow_blank=True, default="")
    grant_date = serializers.DateField()
    proprietors = serializers.ListField(
        child=serializers.CharField(max_length=200), min_length=1, max_length=20, source="proprietor_names"
    )


class CostItemSerializer(serializers.ModelSerializer[CostItem]):
    cost_type = serializers.ChoiceField(choices=CostType.choices)
    currency = serializers.ChoiceField(choices=Currency.choices, default=Currency.CNY)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)

    class Meta:
        model = CostItem
        fields = ["cost_type", "description", "amount", "currency", "paid_on", "receipt_number"]


class DeclarationsSerializer(serializers.Serializer[Application]):
    true_and_complete = serializers.BooleanField(source="declare_true_and_complete")
    no_double_funding = serializers.BooleanField(source="declare_no_double_funding")
    consent_to_checks = serializers.BooleanField(source="declare_consent_to_checks")
    other_public_support = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.00"),
        required=False,
        help_text=_(
            "Public support for the patent family from outside this system, in CNY (schemes under the policy "
            "ceiling count it)."
        ),
    )


class DocumentSerializer(serializers.ModelSerializer[Document]):
    class Meta:
        model = Document
        fields = ["id", "doc_type", "original_name", "content_type", "size", "sha256", "uploaded_at"]
        read_only_fields = fields


class DocumentUploadSerializer(serializers.Serializer[Document]):
    doc_type = serializers.ChoiceField(choices=DocumentType.choices)
    file = serializers.FileField()


class ApplicationListSerializer(serializers.ModelSerializer[Application]):
    status = serializers.ChoiceField(choices=ApplicationStatus.choices, read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    applicant_name = serializers.CharField(source="applicant.name", read_only=True)
    city = serializers.ChoiceField(source="applicant.city", choices=GuangdongCity.choices, read_only=True)
    hk_number = serializers.SerializerMethodField(
        help_text=_("The number of an HK patent (null for other offices): see patent_office and patent_number.")
    )
    patent_office = serializers.CharField(source="patent.office", read_only=True, allow_null=True, default=None)
    patent_number = serializers.CharField(source="patent.number", read_only=True, allow_null=True, default=None)
    scheme = serializers.CharField(
        source="funding_round.scheme.code", read_only=True, help_text=_("The code of the claim's subsidy scheme.")
    )

    class Meta:
        model = Application
        fields = [
            "id",
            "reference",
            "status",
            "status_label",
            "scheme",
            "funding_round",
            "applicant",
            "applicant_name",
            "city",
            "hk_number",
            "patent_office",
            "patent_number",
            "requested_amount",
            "approved_amount",
            "created_at",
            "updated_at",
            "submitted_at",
            "decided_at",
            "notice_ends_on",
            "paid_on",
        ]
        read_only_fields = fields

    def get_hk_number(self, obj: Application) -> str | None:
        return obj.patent.number if obj.patent is not None and obj.patent.is_hk else None


class ApplicationDetailSerializer(ApplicationListSerializer):
    patent = serializers.SerializerMethodField()
    cost_items = CostItemSerializer(many=True, read_only=True)
    declarations = serializers.SerializerMethodField()
    documents = DocumentSerializer(many=True, read_only=True)
    available_transitions = serializers.SerializerMethodField(
        help_text=_("The transitions the caller may run now (POST …/transitions/{name}/).")
    )

    class Meta(ApplicationListSerializer.Meta):
        fields = [
            *ApplicationListSerializer.Meta.fields,
            "patent",
            "cost_items",
            "declarations",
            "documents",
            "available_transitions",
        ]
        read_only_fields = fields

    @extend_schema_field(PatentSerializer(allow_null=True))
    def get_patent(self, obj: Application) -> dict[str, Any] | None:
        return dict(PatentSerializer(obj.patent).data) if obj.patent is not None else None

    @extend_schema_field(DeclarationsSerializer)
    def get_declarations(self, obj: Application) -> dict[str, Any]:
        return dict(DeclarationsSerializer(obj).data)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_available_transitions(self, obj: Application) -> list[str]:
        from subsidy.api.transitions import available_transitions

        if self.context.get("for_etag"):
            return []  # not part of the version: it depends on who asks
        return available_transitions(obj, self.context["request"].user)


class ApplicationCreateSerializer(serializers.Serializer[Application]):
    applicant = serializers.PrimaryKeyRelatedField(queryset=Applicant.objects.all())
    funding_round = serializers.PrimaryKeyRelatedField(queryset=FundingRound.objects.all())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            # Only the caller's own applicants exist here: others are "not found", not "forbidden".
            self.fields["applicant"].queryset = Applicant.objects.accessible_by(request.user)  # type: ignore[attr-defined]


class ApplicationUpdateSerializer(serializers.Serializer[Application]):
    patent = PatentSerializer(required=False)
    cost_items = CostItemSerializer(many=True, required=False)
    declarations = DeclarationsSerializer(required=False)


class TransitionSerializer(serializers.Serializer[Any]):
    """The fields a transition takes; which are required depends on the transition."""

    comment = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    message = serializers.CharField(
        required=False, allow_blank=True, max_length=4000, help_text=_("request_info: what the applicant must provide")
    )
    deadline = serializers.DateField(required=False, help_text=_("request_info: the date the answer is due"))
    recommendation = serializers.ChoiceField(choices=Recommendation.choices, required=False)
    amount = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        required=False,
        allow_null=True,
        min_value=0,
        help_text=_("recommend: the amount (CNY), at most the computed one"),
    )
    reason = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    objection = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    reply = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=REPLY_MAX_LENGTH,
        help_text=_("resubmit: the applicant's answer to the reviewer (optional)"),
    )


class ConflictDeclarationSerializer(serializers.Serializer[Any]):
    has_conflict = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)


class FindingSerializer(serializers.Serializer[Any]):
    rule_code = serializers.CharField(max_length=60)
    passed = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)


class ChecklistSerializer(serializers.Serializer[Any]):
    findings = FindingSerializer(many=True, allow_empty=False)


class TimelineEntrySerializer(serializers.Serializer[Any]):
    at = serializers.DateTimeField()
    action = serializers.CharField()
    comment = serializers.CharField(allow_blank=True)
    from_state = serializers.CharField(required=False, allow_blank=True)
    to_state = serializers.CharField(required=False, allow_blank=True)
    actor = serializers.CharField(required=False, allow_null=True)


class AuditEntrySerializer(serializers.ModelSerializer[AuditEntry]):
    action = serializers.CharField(source="transition")
    actor = serializers.SerializerMethodField()

    class Meta:
        model = AuditEntry
        fields = ["at", "action", "comment", "from_state", "to_state", "actor"]
        read_only_fields = fields

    def get_actor(self, obj: AuditEntry) -> str | None:
        return obj.actor.email if obj.actor is not None else None


class LetterSerializer(serializers.ModelSerializer[Letter]):
    class Meta:
        model = Letter
        fields = ["id", "reference", "kind", "version", "status", "issued_at", "size", "sha256", "token"]
        read_only_fields = fields


class LetterVerificationSerializer(serializers.Serializer[Any]):
    reference = serializers.CharField()
    status = serializers.CharField()
    issued_at = serializers.DateTimeField(allow_null=True)
    sha256 = serializers.CharField()
    applicant_name = serializers.CharField(allow_blank=True)
    authentic = serializers.BooleanField(
        allow_null=True, help_text=_("Whether the uploaded copy is this letter (null when no file was sent).")
    )


class LetterCheckSerializer(serializers.Serializer[Any]):
    file = serializers.FileField()


class BatchSerializer(serializers.ModelSerializer[Batch]):
    class Meta:
        model = Batch
        fields = [
            "id",
            "reference",
            "status",
            "description",
            "line_count",
            "total_amount",
            "created_at",
            "submitted_at",
            "released_at",
            "reconciled_at",
            "cancelled_at",
        ]
        read_only_fields = fields


class BatchCreateSerializer(serializers.Serializer[Batch]):
    scheme = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Scheme.objects.all(),
        required=False,
        help_text=_("Only claims of this scheme (its code)."),
    )
    funding_round = serializers.PrimaryKeyRelatedField(queryset=FundingRound.objects.all(), required=False)
    city = serializers.ChoiceField(choices=GuangdongCity.choices, required=False, allow_blank=True, default="")
    approved_from = serializers.DateField(required=False)
    approved_to = serializers.DateField(required=False)


class BatchTransitionSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)
    file_not_sent = serializers.BooleanField(
        required=False,
        default=False,
        help_text="withdraw of an exported batch: confirms that no file of it was sent to the bank, nor will be.",
    )


class BatchLineSerializer(serializers.ModelSerializer[BatchLine]):
    account = serializers.SerializerMethodField()

    class Meta:
        model = BatchLine
        fields = [
            "sequence",
            "application",
            "application_reference",
            "payee_name",
            "bank_name",
            "account",
            "amount",
            "letter_reference",
            "status",
            "paid_on",
            "bank_reference",
            "failure_reason",
        ]
        read_only_fields = fields

    def get_account(self, obj: BatchLine) -> str:
        return mask_account(obj.account_number)


class BatchExportSerializer(serializers.ModelSerializer[BatchExport]):
    class Meta:
        model = BatchExport
        fields = ["id", "export_format", "sha256", "size", "exported_at"]
        read_only_fields = fields


class ExportRequestSerializer(serializers.Serializer[Any]):
    export_format = serializers.ChoiceField(choices=ExportFormat.choices)


class BankReturnUploadSerializer(serializers.Serializer[Any]):
    file = serializers.FileField()


class ImportResultSerializer(serializers.Serializer[Any]):
    repeated = serializers.BooleanField()
    paid = serializers.IntegerField()
    failed = serializers.IntegerField()
    reported = serializers.ListField(child=serializers.DictField(child=serializers.CharField()))
    batch = BatchSerializer()
