from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from subsidy import identifiers
from subsidy.models.choices import AccessRole, ApplicantKind, GuangdongCity, LetterChinese, PersonalIdKind

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User


class ApplicantQuerySet(models.QuerySet["Applicant"]):
    def accessible_by(self, user: User | AnonymousUser) -> ApplicantQuerySet:
        if not user.is_authenticated:
            return self.none()
        return self.filter(access__user=user, access__revoked_at__isnull=True)


# What an applicant (or their agency) fills in and may change, on the page and in the API.
APPLICANT_EDITABLE_FIELDS = (
    "kind",
    "name",
    "name_en",
    "uscc",
    "id_kind",
    "id_number",
    "city",
    "address",
    "contact_person",
    "phone",
    "email",
    "bank_account_name",
    "bank_name",
    "bank_account_number",
    "cnaps_code",
    "letter_chinese",
)

# Who the applicant is: fixed once a claim is submitted (letters, the public notice and
# the eligibility findings name it); a change afterwards waits for staff to verify it.
IDENTITY_FIELDS = ("kind", "name", "name_en", "uscc", "id_kind", "id_number")
# Where the money goes: fixed on a claim at approval; a change while a claim is approved
# or in payment waits for staff to verify it (subsidy.services.applicant_changes).
BANK_FIELDS = ("bank_account_name", "bank_name", "bank_account_number", "cnaps_code")


# The same answer whoever asks, naming nobody: the real holder proves the number is theirs.
IDENTIFIER_TAKEN = _(
    "This number cannot be registered to your account. If it is yours, contact the scheme office "
    "with your business licence or identity document; staff will check it and give you access."
)


class Applicant(models.Model):
    """A Guangdong organisation or person who claims the subsidy (and is paid it)."""

    kind = models.CharField(_("applicant type"), max_length=20, choices=ApplicantKind.choices)
    name = models.CharField(_("legal name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    uscc = models.CharField(_("Unified Social Credit Code"), max_length=18, blank=True)
    id_kind = models.CharField(_("identity document"), max_length=20, choices=PersonalIdKind.choices, blank=True)
    id_number = models.CharField(_("identity document number"), max_length=18, blank=True)
    city = models.CharField(_("city"), max_length=20, choices=GuangdongCity.choices)
    address = models.CharField(_("registered address"), max_length=300)
    contact_person = models.CharField(_("contact person"), max_length=100)
    phone = models.CharField(_("phone"), max_length=30)
    email = models.EmailField(_("email"))

    bank_account_name = models.CharField(_("bank account name"), max_length=200, blank=True)
    bank_name = models.CharField(_("bank name"), max_length=200, blank=True)
    bank_account_number = models.CharField(_("bank account number"), max_length=30, blank=True)
    cnaps_code = models.CharField(_("CNAPS bank code"), max_length=12, blank=True)
    letter_chinese = models.CharField(
        _("Chinese of the decision letters"),
        max_length=7,
        choices=LetterChinese.choices,
        default=LetterChinese.SIMPLIFIED,
        help_text=_("Letters are written in this Chinese first, with English below."),
    )

    users: models.ManyToManyField[Any, Any] = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="ApplicantAccess", related_name="applicants", blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ApplicantQuerySet.as_manager()

    class Meta:
        verbose_name = _("applicant")
        verbose_name_plural = _("applicants")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["uscc"], condition=~models.Q(uscc=""), name="applicant_uscc_unique"),
            models.UniqueConstraint(
                fields=["id_number"], condition=~models.Q(id_number=""), name="applicant_id_number_unique"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(kind=ApplicantKind.ORGANISATION, id_number="") & ~models.Q(uscc="")
                    | models.Q(kind=ApplicantKind.INDIVIDUAL, uscc="") & ~models.Q(id_number="") & ~models.Q(id_kind="")
                ),
                name="applicant_identifier_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """Normalise and check every identifier; errors are keyed by field."""
        errors: dict[str, list[ValidationError]] = {}

        def check(field: str, validator: Callable[[str], str]) -> None:
            value = getattr(self, field)
            if not value:
                return
            try:
                setattr(self, field, validator(value))
            except ValidationError as error:
                errors.setdefault(field, []).append(error)

        if self.kind == ApplicantKind.ORGANISATION:
            self.id_kind, self.id_number = "", ""
            if not self.uscc:
                errors["uscc"] = [ValidationError(_("Enter the organisation's Unified Social Credit Code."))]
            check("uscc", identifiers.validate_uscc)
        elif self.kind == ApplicantKind.INDIVIDUAL:
            self.uscc = ""
            if not self.id_kind:
                errors["id_kind"] = [ValidationError(_("Choose the identity document you hold."))]
            if not self.id_number:
                errors["id_number"] = [ValidationError(_("Enter the number of your identity document."))]
            elif self.id_kind == PersonalIdKind.RESIDENCE_PERMIT:
                check("id_number", identifiers.validate_residence_permit)
            else:
                check("id_number", identifiers.validate_resident_id)
        for name_field in ("name", "name_en", "bank_account_name", "bank_name"):
            check(name_field, identifiers.validate_payee_name)
        check("phone", identifiers.validate_phone)
        check("bank_account_number", identifiers.validate_bank_account_number)
        check("cnaps_code", identifiers.validate_cnaps_code)
        bank = [self.bank_account_name, self.bank_name, self.bank_account_number, self.cnaps_code]
        if any(bank) and not all(bank):
            errors.setdefault("bank_account_name", []).append(
                ValidationError(_("Give all four bank details, or none for now."))
            )
        elif self.bank_account_name and "bank_account_name" not in errors and not self.account_name_matches():
            errors.setdefault("bank_account_name", []).append(
                ValidationError(
                    _("The account must be in the applicant's own name: write the name as it is above (%(name)s)."),
                    params={"name": self.name},
                    code="account_name_mismatch",
                )
            )
        self._check_identifier_free(errors)
        if errors:
            raise ValidationError(errors)

    def account_name_matches(self) -> bool:
        """The subsidy is paid only to the applicant: the account holder's name is the
        applicant's Chinese or English name (brackets, spacing and case aside)."""
        key = identifiers.payee_name_key(self.bank_account_name)
        return key in {identifiers.payee_name_key(n) for n in (self.name, self.name_en) if n}

    def _check_identifier_free(self, errors: dict[str, list[ValidationError]]) -> None:
        """A USCC or ID number already registered gets the same message whoever asks,
        without saying whose it is; the real holder proves it with an identity claim."""
        for field in ("uscc", "id_number"):
            value = getattr(self, field)
            if (
                value
                and field not in errors
                and Applicant.objects.filter(**{field: value}).exclude(pk=self.pk).exists()
            ):
                errors[field] = [ValidationError(IDENTIFIER_TAKEN, code="identifier_taken")]

    @property
    def is_organisation(self) -> bool:
        return self.kind == ApplicantKind.ORGANISATION

    @property
    def identifier(self) -> str:
        return self.uscc if self.is_organisation else self.id_number

    @property
    def has_bank_account(self) -> bool:
        return all([self.bank_account_name, self.bank_name, self.bank_account_number, self.cnaps_code])

    def is_accessible_by(self, user: User | AnonymousUser) -> bool:
        return bool(user.is_authenticated and self.access.filter(user=user, revoked_at__isnull=True).exists())


def applicant_field_label(name: str) -> str:
    """A detail's name as people read it (emails and pages about changes of details)."""
    field: Any = Applicant._meta.get_field(name)
    return str(field.verbose_name)


class ApplicantAccess(models.Model):
    """Which user accounts may act for an applicant: its own, or an authorised agency."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="applicant_access")
    applicant = models.ForeignKey(Applicant, on_delete=models.CASCADE, related_name="access")
    role = models.CharField(_("role"), max_length=10, choices=AccessRole.choices)
    granted_at = models.DateTimeField(auto_now_add=True)
    # Access ends, it is never deleted: who could act for an applicant stays on record
    # (and such an account never becomes staff; subsidy migration 0016).
    revoked_at = models.DateTimeField(_("access ended"), null=True, blank=True)

    class Meta:
        verbose_name = _("applicant access")
        verbose_name_plural = _("applicant access")
        constraints = [models.UniqueConstraint(fields=["user", "applicant"], name="applicant_access_unique")]

    def __str__(self) -> str:
        return f"{self.user} → {self.applicant} ({self.role})"
