from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from subsidy.models.applicants import Applicant
from subsidy.models.choices import WITHDRAWABLE_STATUSES, ApplicationStatus, CostType, Currency
from subsidy.models.patents import HKPatent
from subsidy.models.rounds import FundingRound

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User


def may_act_for_applicant(instance: models.Model, user: Any) -> bool:
    """Transition permission: the user's own applicant, or one its agency is authorised for."""
    return isinstance(instance, Application) and instance.applicant.is_accessible_by(user)


class ApplicationQuerySet(models.QuerySet["Application"]):
    def accessible_by(self, user: User | AnonymousUser) -> ApplicationQuerySet:
        if not user.is_authenticated:
            return self.none()
        return self.filter(applicant__access__user=user)

    def drafts(self) -> ApplicationQuerySet:
        return self.filter(status=ApplicationStatus.DRAFT)

    def submitted(self) -> ApplicationQuerySet:
        return self.exclude(status__in=[ApplicationStatus.DRAFT, ApplicationStatus.WITHDRAWN])


class Application(ConcurrentTransitionMixin, models.Model):
    """A claim for the subsidy: the aggregate every workflow step acts on."""

    reference = models.CharField(_("reference number"), max_length=20, unique=True, null=True, blank=True)
    funding_round = models.ForeignKey(
        FundingRound, on_delete=models.PROTECT, related_name="applications", verbose_name=_("funding round")
    )
    applicant = models.ForeignKey(
        Applicant, on_delete=models.PROTECT, related_name="applications", verbose_name=_("applicant")
    )
    patent = models.OneToOneField(
        HKPatent, on_delete=models.PROTECT, null=True, blank=True, related_name="application", verbose_name=_("patent")
    )
    status = FSMField(
        _("status"), max_length=20, choices=ApplicationStatus.choices, default=ApplicationStatus.DRAFT, protected=True
    )
    declare_true_and_complete = models.BooleanField(
        _("The information and evidence in this claim are true and complete."), default=False
    )
    declare_no_double_funding = models.BooleanField(
        _("No other public subsidy has been or will be claimed for the same costs."), default=False
    )
    declare_consent_to_checks = models.BooleanField(
        _(
            "I consent to the verification of this claim with the patent registries and to the public notice "
            "of the applicant name, patent number and amount if the claim is approved."
        ),
        default=False,
    )
    requested_amount = models.DecimalField(
        _("amount requested (CNY)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-submitted_at", "-created_at", "-id"]
        indexes = [models.Index(fields=["status", "submitted_at"], name="application_status_idx")]
        constraints = [
            models.CheckConstraint(
                # A withdrawn draft never got a reference; every other claim has one.
                condition=models.Q(status__in=[ApplicationStatus.DRAFT, ApplicationStatus.WITHDRAWN])
                | models.Q(reference__isnull=False, submitted_at__isnull=False),
                name="application_submitted_has_reference",
            ),
            models.CheckConstraint(
                condition=models.Q(requested_amount__isnull=True) | models.Q(requested_amount__gte=0),
                name="application_amount_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.reference or _("Draft #%(id)s") % {"id": self.pk}

    @property
    def declarations_complete(self) -> bool:
        return self.declare_true_and_complete and self.declare_no_double_funding and self.declare_consent_to_checks

    # Transitions: called only by subsidy.services, which lock the row, check
    # permissions and rules, and save. The audit row is written by subsidy.audit.

    @transition(
        field=status,
        source=ApplicationStatus.DRAFT,
        target=ApplicationStatus.SUBMITTED,
        permission=may_act_for_applicant,
    )
    def submit(
        self, *, by: Any, reference: str, requested_amount: Decimal, ip: str | None = None, comment: str = ""
    ) -> None:
        self.reference = reference
        self.requested_amount = requested_amount
        self.submitted_at = timezone.now()

    @transition(
        field=status, source=WITHDRAWABLE_STATUSES, target=ApplicationStatus.WITHDRAWN, permission=may_act_for_applicant
    )
    def withdraw(self, *, by: Any, ip: str | None = None, comment: str = "") -> None:
        self.withdrawn_at = timezone.now()


class CostItem(models.Model):
    """One fee the claimant paid, with its receipt."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="cost_items")
    cost_type = models.CharField(_("cost type"), max_length=20, choices=CostType.choices)
    description = models.CharField(_("description"), max_length=200, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, default=Currency.CNY)
    paid_on = models.DateField(_("payment date"))
    receipt_number = models.CharField(_("receipt number"), max_length=60)

    class Meta:
        verbose_name = _("cost item")
        verbose_name_plural = _("cost items")
        ordering = ["application", "paid_on", "id"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="cost_item_amount_positive")]

    def __str__(self) -> str:
        return f"{self.get_cost_type_display()} {self.amount} {self.currency}"

    def clean(self) -> None:
        errors: dict[str, ValidationError] = {}
        if self.amount is not None and self.amount <= 0:
            errors["amount"] = ValidationError(_("Enter an amount greater than zero."))
        if self.paid_on and self.paid_on > timezone.localdate():
            errors["paid_on"] = ValidationError(_("The payment date cannot be in the future."))
        if errors:
            raise ValidationError(errors)


class PatentClaim(models.Model):
    """The database's guarantee of one subsidy per HK patent: a claim holds the
    patent from submission until it is withdrawn; a second live claim cannot exist."""

    hk_key = models.CharField(_("HK patent number"), max_length=12)
    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="patent_claim")
    claimed_at = models.DateTimeField(auto_now_add=True)
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("patent claim")
        verbose_name_plural = _("patent claims")
        constraints = [
            models.UniqueConstraint(
                fields=["hk_key"], condition=models.Q(released_at__isnull=True), name="one_live_claim_per_hk_patent"
            )
        ]

    def __str__(self) -> str:
        return self.hk_key


class ReferenceCounter(models.Model):
    """Per-year counter behind GDHK-YYYY-NNNNNN reference numbers (row-locked)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_value = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last_value}"
