"""Django admin for the scheme office: reference data is editable; claims, their
status and the audit log are read-only here (status changes go through services)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.db import transaction
from django.forms.models import model_to_dict
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from subsidy.audit import account_facts, audit_edit, field_values
from subsidy.models import (
    Applicant,
    ApplicantAccess,
    Application,
    AuditEntry,
    BankReturn,
    Batch,
    BatchExport,
    BatchLine,
    CostItem,
    Document,
    DocumentType,
    ExchangeRate,
    FundingRound,
    Letter,
    Patent,
    PatentClaim,
    PatentProprietor,
    Scheme,
    StaffScope,
)
from subsidy.patent_numbers import Office
from subsidy.permissions import user_administers_scheme
from subsidy.personal_data import mask_account, mask_id_number
from subsidy.web import client_ip


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AuditedAdmin(admin.ModelAdmin):
    """Reference data that amounts and deadlines are computed from: every change made
    here writes an audit row with the values before and after, in the admin's own
    transaction, so a changed rate or budget can always be traced to who changed it.
    Scheme administrators keep it (schemes, rounds, rates) without model permissions of
    their own: the role is the permission (subsidy.permissions.user_administers_scheme)."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return user_administers_scheme(request.user) or super().has_module_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return user_administers_scheme(request.user) or super().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return user_administers_scheme(request.user) or super().has_add_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return user_administers_scheme(request.user) or super().has_change_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        stored = type(obj).objects
        before = field_values(stored.get(pk=obj.pk)) if change else {}
        super().save_model(request, obj, form, change)
        after = field_values(stored.get(pk=obj.pk))  # as stored: 0.4 is 0.4000
        action = "admin_change" if change else "admin_create"
        audit_edit(subject=obj, before=before, after=after, actor=request.user, action=action, ip=client_ip(request))

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        self.delete_queryset(request, type(obj).objects.filter(pk=obj.pk))

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        with transaction.atomic():
            for obj in queryset.select_for_update():
                before = field_values(obj)
                ip = client_ip(request)
                audit_edit(subject=obj, before=before, after={}, actor=request.user, action="admin_delete", ip=ip)
            queryset.delete()


class SchemeForm(forms.ModelForm[Scheme]):
    """A scheme as a scheme administrator sets it up: rule set and amount method chosen
    from what the code offers, offices and documents ticked from their lists. Whether they
    fit together is Scheme.clean()'s to say."""

    rule_set = forms.ChoiceField(label=_("rule set"))
    amount_method = forms.ChoiceField(label=_("amount method"))
    offices = forms.MultipleChoiceField(
        label=_("patent offices"), choices=Office.choices, widget=forms.CheckboxSelectMultiple
    )
    required_documents = forms.MultipleChoiceField(
        label=_("required documents"),
        choices=DocumentType.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Besides these, organisations upload their business licence and individuals their identity."),
    )

    class Meta:
        model = Scheme
        fields = [
            "code",
            "name",
            "name_en",
            "legal_basis",
            "reference_prefix",
            "offices",
            "rule_set",
            "amount_method",
            "required_documents",
            "ceiling_share",
            "sunset_on",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from subsidy.amounts import AMOUNT_METHODS
        from subsidy.rules import RULE_SETS

        for name, registry in (("rule_set", RULE_SETS), ("amount_method", AMOUNT_METHODS)):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared above
            field.choices = [(key, key) for key in sorted(registry)]


@admin.register(Scheme)
class SchemeAdmin(AuditedAdmin):
    form = SchemeForm
    list_display = ["code", "name", "name_en", "reference_prefix", "rule_set", "amount_method", "sunset_on"]
    search_fields = ["code", "name", "name_en"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # rounds, claims and the audit history refer to it: a scheme ends (sunset), never goes


@admin.register(FundingRound)
class FundingRoundAdmin(AuditedAdmin):
    list_display = ["name", "scheme", "code", "opens_on", "closes_on", "budget", "per_patent_cap", "reimbursement_rate"]
    list_filter = ["scheme"]
    list_select_related = ["scheme"]
    search_fields = ["name", "name_en", "code"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            # Approvals move reserved_amount at any moment: save over the value under the
            # row's lock (as they take it), never the one read when this request began.
            rounds = FundingRound.objects.select_for_update()
            obj.reserved_amount = rounds.values_list("reserved_amount", flat=True).get(pk=obj.pk)
        super().save_model(request, obj, form, change)


# What the admin shows of an applicant: the ID and account numbers only masked.
APPLICANT_ADMIN_FIELDS = (
    "kind",
    "name",
    "name_en",
    "uscc",
    "id_kind",
    "masked_id_number",
    "city",
    "address",
    "contact_person",
    "phone",
    "email",
    "bank_account_name",
    "bank_name",
    "masked_bank_account_number",
    "cnaps_code",
    "letter_chinese",
    "created_at",
    "updated_at",
)


class ApplicantAccessInline(ReadOnlyInline):
    model = ApplicantAccess
    fields = ("user", "role")


@admin.register(Applicant)
class ApplicantAdmin(ReadOnlyAdmin):
    """Read-only, numbers masked as on every staff page: applicants change their own
    details in the portal (subsidy.services.applicants.applicant_update, which audits a
    new bank account); an edit here would move where the money goes unaudited. A full
    number is shown only through the audited "show full number" of a case or batch line."""

    list_display = ["name", "kind", "city", "uscc", "email"]
    list_filter = ["kind", "city"]
    search_fields = ["name", "name_en", "uscc", "email"]
    inlines = [ApplicantAccessInline]
    fields = APPLICANT_ADMIN_FIELDS
    readonly_fields = APPLICANT_ADMIN_FIELDS

    @admin.display(description=_("identity document number"))
    def masked_id_number(self, applicant: Applicant) -> str:
        return mask_id_number(applicant.id_number)

    @admin.display(description=_("bank account number"))
    def masked_bank_account_number(self, applicant: Applicant) -> str:
        return mask_account(applicant.bank_account_number)


@admin.register(ExchangeRate)
class ExchangeRateAdmin(AuditedAdmin):
    list_display = ["currency", "on_date", "rate_to_cny", "source"]
    list_filter = ["currency"]
    date_hierarchy = "on_date"


class CostItemInline(ReadOnlyInline):
    model = CostItem


class DocumentInline(CostItemInline):
    model = Document  # type: ignore[assignment]
    fields = ("doc_type", "original_name", "content_type", "size", "sha256", "uploaded_at")
    readonly_fields = ("doc_type", "original_name", "content_type", "size", "sha256", "uploaded_at")


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "applicant", "patent", "status", "requested_amount", "submitted_at"]
    list_filter = ["status", "funding_round"]
    search_fields = ["reference", "applicant__name", "patent__number"]
    list_select_related = ["applicant", "patent"]
    inlines = [CostItemInline, DocumentInline]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ProprietorInline(admin.TabularInline):
    model = PatentProprietor
    extra = 0


@admin.register(Patent)
class PatentAdmin(ReadOnlyAdmin):
    list_display = ["number", "office", "route", "grant_date", "title_zh", "family"]
    search_fields = ["number", "title_zh", "title_en", "family__key"]
    inlines = [ProprietorInline]


@admin.register(PatentClaim)
class PatentClaimAdmin(ReadOnlyAdmin):
    list_display = ["patent_key", "scheme", "application", "claimed_at", "released_at"]
    search_fields = ["patent_key"]


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["at", "subject_type", "subject_id", "transition", "from_state", "to_state", "actor"]
    list_filter = ["transition", "subject_type"]
    search_fields = ["subject_id", "comment"]


@admin.register(Letter)
class LetterAdmin(ReadOnlyAdmin):
    list_display = ["reference", "kind", "version", "status", "issued_at", "attempts"]
    list_filter = ["kind", "status"]
    search_fields = ["reference", "application__reference"]
    exclude = ["content"]  # personal data; the PDF is the record


class BatchLineInline(ReadOnlyInline):
    model = BatchLine
    fields = ("sequence", "application_reference", "payee_name", "amount", "status", "paid_on", "bank_reference")


@admin.register(Batch)
class BatchAdmin(ReadOnlyAdmin):
    """Read-only: batches change only through the finance pages' services."""

    list_display = ["reference", "status", "line_count", "total_amount", "created_at", "released_by"]
    list_filter = ["status"]
    search_fields = ["reference"]
    inlines = [BatchLineInline]


@admin.register(BatchExport)
class BatchExportAdmin(ReadOnlyAdmin):
    list_display = ["batch", "export_format", "sha256", "size", "exported_at", "exported_by"]


@admin.register(BankReturn)
class BankReturnAdmin(ReadOnlyAdmin):
    list_display = ["batch", "filename", "file_format", "paid_count", "failed_count", "imported_at", "imported_by"]


User = get_user_model()
admin.site.unregister(User)


class AccountChangeForm(UserChangeForm):
    """The account, with the schemes it works on (subsidy.models.StaffScope)."""

    schemes = forms.ModelMultipleChoiceField(
        label=_("schemes worked on"),
        queryset=Scheme.objects.order_by("code"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "None ticked: every scheme. Staff limited to some schemes see and act on those schemes' claims only."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["schemes"].initial = list(
                StaffScope.objects.filter(user=self.instance).values_list("scheme_id", flat=True)
            )


def scheme_codes_of(account: Any) -> list[str]:
    """What an audit row about an account's access says of its schemes."""
    return sorted(StaffScope.objects.filter(user=account).values_list("scheme__code", flat=True))


def staff_scopes_set(account: Any, schemes: Any) -> None:
    """The account works on these schemes from now on (none: every scheme)."""
    chosen = {scheme.pk for scheme in schemes}
    StaffScope.objects.filter(user=account).exclude(scheme_id__in=chosen).delete()
    StaffScope.objects.bulk_create(
        [StaffScope(user=account, scheme_id=scheme_id) for scheme_id in chosen], ignore_conflicts=True
    )


@admin.register(User)
class AccountAdmin(UserAdmin):
    """Who may do what: every change made here to an account's roles, schemes, flags or
    password is audited (who, from where, before and after; a password only as
    "changed"), so a role given to oneself or a colleague can always be traced. Accounts
    are deactivated, never deleted: audit rows, decisions and batches name them."""

    form = AccountChangeForm
    fieldsets = (*(UserAdmin.fieldsets or ()), (_("Schemes"), {"fields": ("schemes",)}))

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        schemes_before = scheme_codes_of(form.instance) if change else []
        super().save_related(request, form, formsets, change)
        if "schemes" in form.cleaned_data:  # the change form's (a new account works on every scheme)
            staff_scopes_set(form.instance, form.cleaned_data["schemes"])
        # form.initial: the account as it was when the form was built from it.
        before = account_facts(form.initial) | {"schemes": schemes_before} if change else {}
        after = account_facts(model_to_dict(form.instance)) | {"schemes": scheme_codes_of(form.instance)}
        action = "account_change" if change else "account_create"
        audit_edit(
            subject=form.instance, before=before, after=after, actor=request.user, action=action, ip=client_ip(request)
        )

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> Any:
        with transaction.atomic():
            before = User.objects.filter(pk=id).values_list("password", flat=True).first()
            response = super().user_change_password(request, id, form_url)
            account = User.objects.filter(pk=id).first()
            if account is not None and before is not None:
                audit_edit(
                    subject=account,
                    before={"password": before},
                    after={"password": account.password},
                    actor=request.user,
                    action="account_change",
                    ip=client_ip(request),
                )
        return response

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
