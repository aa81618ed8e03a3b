from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from subsidy.models.applicants import Applicant
from subsidy.models.choices import (
    AWAITING_OFFICE_STATUSES,
    RESERVED_STATUSES,
    WITHDRAWABLE_STATUSES,
    ApplicationStatus,
    CostType,
    Currency,
    Recommendation,
    Role,
)
from subsidy.models.patents import Patent
from subsidy.models.rounds import FundingRound
from subsidy.models.schemes import Scheme
from subsidy.people import Actor, signed_in
from subsidy.permissions import (
    in_schemes_served_by,
    user_has_role,
    user_independent_of_applicant,
    user_serves_application,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User


def may_act_for_applicant(instance: models.Model, user: Any) -> bool:
    """Transition permission: the user's own applicant, or one its agency is authorised for."""
    return isinstance(instance, Application) and instance.applicant.is_accessible_by(user)


def may_review(instance: models.Model, user: Any) -> bool:
    """A reviewer who works on the claim's scheme, without a conflict, on a case that is
    free or already theirs."""
    return (
        isinstance(instance, Application)
        and user_has_role(user, Role.REVIEWER)
        and instance.reviewer_id in (None, user.pk)
        and user_serves_application(user, instance)
        and user_independent_of_applicant(user, instance.applicant_id)
        and instance.declared_no_conflict(user)
    )


def may_decide(instance: models.Model, user: Any) -> bool:
    """An approver who works on the claim's scheme, without a conflict, who is not the
    case's reviewer (four eyes)."""
    return (
        isinstance(instance, Application)
        and user_has_role(user, Role.APPROVER)
        and user.pk != instance.reviewer_id
        and user_serves_application(user, instance)
        and user_independent_of_applicant(user, instance.applicant_id)
        and instance.declared_no_conflict(user)
    )


def may_record_objection(instance: models.Model, user: Any) -> bool:
    return (
        isinstance(instance, Application)
        and (user_has_role(user, Role.APPROVER) or user_has_role(user, Role.SCHEME_ADMIN))
        and user_serves_application(user, instance)
        and user_independent_of_applicant(user, instance.applicant_id)
    )


def may_schedule_payment(instance: models.Model, user: Any) -> bool:
    """A finance approver releases the batch that schedules the payment."""
    return (
        isinstance(instance, Application)
        and user_has_role(user, Role.FINANCE_APPROVER)
        and user_serves_application(user, instance)
        and user_independent_of_applicant(user, instance.applicant_id)
    )


def may_settle_payment(instance: models.Model, user: Any) -> bool:
    """Finance staff record what the bank reported."""
    return (
        isinstance(instance, Application)
        and (user_has_role(user, Role.FINANCE_OFFICER) or user_has_role(user, Role.FINANCE_APPROVER))
        and user_serves_application(user, instance)
        and user_independent_of_applicant(user, instance.applicant_id)
    )


def notice_period_over(instance: models.Model) -> bool:
    """Only claims whose public notice has ended may be paid (the same test as `payable`)."""
    return isinstance(instance, Application) and (
        instance.notice_ends_on is None or instance.notice_ends_on < timezone.localdate()
    )


def notice_still_open(instance: models.Model) -> bool:
    """An objection reopens an approved claim only while its public notice runs."""
    return isinstance(instance, Application) and instance.notice_open(timezone.localdate())


# Why a transition that the state allows is refused now, by the condition that fails:
# subsidy.services.applications.check_transition says it instead of naming the state.
CONDITION_REFUSALS: dict[Callable[[models.Model], bool], Promise] = {
    notice_still_open: _("The public notice period has ended; objections can no longer reopen this case."),
}


def condition_refusal(instance: models.Model, method: Any) -> Promise | None:
    """The refusal of the first condition of `method`'s transition that fails, if any."""
    meta = method._django_fsm
    transition = meta.get_transition(meta.field.get_state(instance))
    for condition in (transition.conditions or []) if transition is not None else []:
        if not condition(instance):
            return CONDITION_REFUSALS.get(condition)
    return None


def recommended_for_approval(instance: models.Model) -> bool:
    return (
        isinstance(instance, Application)
        and instance.recommendation == Recommendation.APPROVE
        and instance.recommended_amount is not None
    )


def is_overdue(status: str, submitted_at: dt.datetime | None, review_sla_days: int, now: dt.datetime) -> bool:
    """Waiting on the office for longer than the round's review target (overdue_condition
    says the same in SQL)."""
    return (
        status in AWAITING_OFFICE_STATUSES
        and submitted_at is not None
        and submitted_at < now - dt.timedelta(days=review_sla_days)
    )


def overdue_condition(now: dt.datetime, prefix: str = "") -> models.Q:
    """Waiting on the office for longer than the round's review target, as a condition on
    claims, or on rows (e.g. the queue's entries) carrying `prefix`status, submitted_at
    and funding_round_id. One query reads the rounds' targets."""
    late = models.Q(pk__in=[])
    for round_id, days in FundingRound.objects.values_list("id", "review_sla_days"):
        late |= models.Q(
            **{f"{prefix}funding_round_id": round_id, f"{prefix}submitted_at__lt": now - dt.timedelta(days=days)}
        )
    return late & models.Q(**{f"{prefix}status__in": AWAITING_OFFICE_STATUSES})


class ApplicationQuerySet(models.QuerySet["Application"]):
    def accessible_by(self, user: User | AnonymousUser) -> ApplicationQuerySet:
        if not user.is_authenticated:
            return self.none()
        return self.filter(applicant__access__user=user, applicant__access__revoked_at__isnull=True)

    def served_by(self, user: Any) -> ApplicationQuerySet:
        """Claims of the schemes a staff account works on (every claim for an account not
        limited to some schemes)."""
        return self.filter(in_schemes_served_by(user))

    def drafts(self) -> ApplicationQuerySet:
        return self.filter(status=ApplicationStatus.DRAFT)

    def submitted(self) -> ApplicationQuerySet:
        return self.exclude(status__in=[ApplicationStatus.DRAFT, ApplicationStatus.WITHDRAWN])

    def overdue(self, now: dt.datetime) -> ApplicationQuerySet:
        """Claims waiting on the office for longer than their round's review target."""
        return self.filter(overdue_condition(now))

    def in_public_notice(self, today: dt.date) -> ApplicationQuerySet:
        """Approved claims still within their public notice period (公示)."""
        return self.filter(status=ApplicationStatus.APPROVED, notice_ends_on__gte=today)

    def payable(self, today: dt.date) -> ApplicationQuerySet:
        """Approved claims whose public notice is over: only these may be paid."""
        return self.filter(status=ApplicationStatus.APPROVED).filter(
            models.Q(notice_ends_on__isnull=True) | models.Q(notice_ends_on__lt=today)
        )

    def reserved(self) -> ApplicationQuerySet:
        """Claims whose approved amount is reserved against budget and annual cap."""
        return self.filter(status__in=RESERVED_STATUSES)


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
        Patent, on_delete=models.PROTECT, null=True, blank=True, related_name="application", verbose_name=_("patent")
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
    # Public support for the patent family from outside this system (another government
    # body), as the applicant declares it: it counts against the policy ceiling.
    other_public_support = models.DecimalField(
        _("other public support for this patent (CNY)"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0.00"))],
        help_text=_(
            "Support already received or granted for this patent or its family from any other government "
            "programme that does not run in this system. Enter 0 if none."
        ),
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

    # Review and decision (filled by the transitions below).
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewer"),
    )
    recommendation = models.CharField(_("recommendation"), max_length=10, choices=Recommendation.choices, blank=True)
    recommended_amount = models.DecimalField(
        _("recommended amount (CNY)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    recommendation_reason = models.TextField(_("reviewer's reasons"), blank=True)
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approver"),
    )
    approved_amount = models.DecimalField(
        _("approved amount (CNY)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_reason = models.TextField(_("reasons for the decision"), blank=True)
    notice_ends_on = models.DateField(_("public notice ends"), null=True, blank=True)
    # The language the applicant submitted in: emails about the claim are written in it,
    # whoever's action sends them (a decision taken on English pages, a bank return).
    language = models.CharField(_("language of the applicant's emails"), max_length=10, blank=True)

    # The payee, fixed at approval from the applicant's bank details: batches pay exactly
    # this, and only a change verified by two members of staff replaces it
    # (subsidy.services.applicant_changes). Never re-read from the profile.
    payee_name = models.CharField(_("payee account name"), max_length=200, blank=True)
    payee_bank_name = models.CharField(_("payee bank"), max_length=200, blank=True)
    payee_account_number = models.CharField(_("payee account number"), max_length=30, blank=True)
    payee_cnaps_code = models.CharField(_("payee CNAPS code"), max_length=12, blank=True)

    # Payment (filled by the finance transitions below).
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    bank_reference = models.CharField(_("bank reference"), max_length=35, blank=True)
    payment_failure_reason = models.CharField(_("reason the last payment failed"), max_length=300, blank=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-submitted_at", "-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "submitted_at"], name="application_status_idx"),
            # The staff list's capped count by status and city reads claims' applicants
            # from the index alone, then keeps those in the city.
            models.Index(fields=["status", "applicant"], name="application_status_applicant"),
            # The staff list without a status filter walks claims in submission order.
            models.Index(fields=["submitted_at", "id"], name="application_submitted_idx"),
        ]
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
            models.CheckConstraint(
                condition=models.Q(other_public_support__gte=0), name="application_other_support_not_negative"
            ),
            # Four eyes, enforced by the database too: whoever reviewed a case never decides it.
            models.CheckConstraint(
                condition=models.Q(approver__isnull=True)
                | models.Q(reviewer__isnull=True)
                | ~models.Q(approver=models.F("reviewer")),
                name="application_approver_is_not_reviewer",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=RESERVED_STATUSES)
                | models.Q(approved_amount__isnull=False, approved_amount__gte=0),
                name="application_approved_has_amount",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=ApplicationStatus.PAID) | models.Q(paid_on__isnull=False),
                name="application_paid_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.reference or _("Draft #%(id)s") % {"id": self.pk}

    def is_overdue(self, now: dt.datetime) -> bool:
        """Past the round's review target (needs funding_round loaded to stay query-free)."""
        return is_overdue(self.status, self.submitted_at, self.funding_round.review_sla_days, now)

    def notice_open(self, today: dt.date) -> bool:
        """Approved and still within its public notice: objections may reopen it."""
        return (
            self.status == ApplicationStatus.APPROVED
            and self.notice_ends_on is not None
            and today <= self.notice_ends_on
        )

    def declared_no_conflict(self, user: Any) -> bool:
        return bool(
            self.pk
            and user is not None
            and user.is_authenticated
            and self.conflict_declarations.filter(user=user, has_conflict=False).exists()
        )

    PAYEE_FIELDS = {
        "payee_name": "bank_account_name",
        "payee_bank_name": "bank_name",
        "payee_account_number": "bank_account_number",
        "payee_cnaps_code": "cnaps_code",
    }

    def freeze_payee(self) -> None:
        """Copy the applicant's bank details (as the caller loaded, and locked, them)."""
        for own, applicants in self.PAYEE_FIELDS.items():
            setattr(self, own, getattr(self.applicant, applicants))

    @property
    def has_payee(self) -> bool:
        return all(getattr(self, own) for own in self.PAYEE_FIELDS)

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
        self, *, by: Actor, reference: str, requested_amount: Decimal, ip: str | None = None, comment: str = ""
    ) -> None:
        self.reference = reference
        self.requested_amount = requested_amount
        self.submitted_at = timezone.now()

    @transition(
        field=status, source=WITHDRAWABLE_STATUSES, target=ApplicationStatus.WITHDRAWN, permission=may_act_for_applicant
    )
    def withdraw(self, *, by: Actor, ip: str | None = None, comment: str = "") -> None:
        self.withdrawn_at = timezone.now()

    @transition(
        field=status, source=ApplicationStatus.SUBMITTED, target=ApplicationStatus.UNDER_REVIEW, permission=may_review
    )
    def start_review(self, *, by: Actor, ip: str | None = None, comment: str = "") -> None:
        self.reviewer = signed_in(by)

    @transition(
        field=status,
        source=ApplicationStatus.UNDER_REVIEW,
        target=ApplicationStatus.INFO_REQUESTED,
        permission=may_review,
    )
    def request_info(
        self, *, by: Actor, ip: str | None = None, comment: str = "", audit_facts: dict[str, Any] | None = None
    ) -> None:
        """The request itself (message, deadline) is an InformationRequest row; the audit
        row keeps the claim as it was (`audit_facts`, see subsidy.claim_changes)."""

    @transition(
        field=status,
        source=ApplicationStatus.INFO_REQUESTED,
        target=ApplicationStatus.UNDER_REVIEW,
        permission=may_act_for_applicant,
    )
    def resubmit(
        self, *, by: Actor, ip: str | None = None, comment: str = "", audit_facts: dict[str, Any] | None = None
    ) -> None:
        """Back to the same reviewer; `comment` is the applicant's reply, `audit_facts` what
        changed since the request."""

    @transition(field=status, source=ApplicationStatus.INFO_REQUESTED, target=ApplicationStatus.LAPSED)
    def lapse(self, *, by: Actor | None = None, ip: str | None = None, comment: str = "") -> None:
        """Run by the scheduler once the information request's deadline has passed."""

    @transition(
        field=status,
        source=ApplicationStatus.UNDER_REVIEW,
        target=ApplicationStatus.AWAITING_DECISION,
        permission=may_review,
    )
    def recommend(
        self,
        *,
        by: Actor,
        recommendation: str,
        amount: Decimal | None,
        reason: str,
        ip: str | None = None,
        comment: str = "",
    ) -> None:
        self.recommendation = recommendation
        self.recommended_amount = amount
        self.recommendation_reason = reason

    @transition(
        field=status,
        source=ApplicationStatus.AWAITING_DECISION,
        target=ApplicationStatus.UNDER_REVIEW,
        permission=may_decide,
    )
    def return_to_review(self, *, by: Actor, ip: str | None = None, comment: str = "") -> None:
        self.recommendation = ""
        self.recommended_amount = None

    @transition(
        field=status,
        source=ApplicationStatus.AWAITING_DECISION,
        target=ApplicationStatus.APPROVED,
        permission=may_decide,
        conditions=[recommended_for_approval],
    )
    def approve(self, *, by: Actor, notice_ends_on: Any, ip: str | None = None, comment: str = "") -> None:
        self.approver = signed_in(by)
        self.approved_amount = self.recommended_amount
        self.decided_at = timezone.now()
        self.decision_reason = comment
        self.notice_ends_on = notice_ends_on
        self.freeze_payee()

    @transition(
        field=status,
        source=ApplicationStatus.AWAITING_DECISION,
        target=ApplicationStatus.REJECTED,
        permission=may_decide,
    )
    def reject(self, *, by: Actor, ip: str | None = None, comment: str = "") -> None:
        self.approver = signed_in(by)
        self.decided_at = timezone.now()
        self.decision_reason = comment

    @transition(
        field=status,
        source=ApplicationStatus.APPROVED,
        target=ApplicationStatus.UNDER_REVIEW,
        conditions=[notice_still_open],
        permission=may_record_objection,
    )
    def reopen(self, *, by: Actor, ip: str | None = None, comment: str = "") -> None:
        """An objection during the public notice: the decision is undone, the reservation released."""
        self.approver = None
        self.approved_amount = None
        self.decided_at = None
        self.notice_ends_on = None
        self.recommendation = ""
        self.recommended_amount = None
        for own in self.PAYEE_FIELDS:
            setattr(self, own, "")

    @transition(
        field=status,
        source=ApplicationStatus.APPROVED,
        target=ApplicationStatus.IN_PAYMENT,
        permission=may_schedule_payment,
        conditions=[notice_period_over],
    )
    def schedule_payment(self, *, by: Actor, batch: str, ip: str | None = None, comment: str = "") -> None:
        """Released in a disbursement batch: the money is on its way."""
        self.payment_failure_reason = ""

    @transition(
        field=status,
        source=ApplicationStatus.IN_PAYMENT,
        target=ApplicationStatus.PAID,
        permission=may_settle_payment,
    )
    def confirm_paid(
        self, *, by: Actor, paid_on: dt.date, bank_reference: str, ip: str | None = None, comment: str = ""
    ) -> None:
        self.paid_on = paid_on
        self.bank_reference = bank_reference

    @transition(
        field=status,
        source=ApplicationStatus.IN_PAYMENT,
        target=ApplicationStatus.APPROVED,
        permission=may_settle_payment,
    )
    def payment_failed(self, *, by: Actor, reason: str, ip: str | None = None, comment: str = "") -> None:
        """The bank returned the payment: approved again, ready for a new batch."""
        self.payment_failure_reason = reason[:300]


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
    """The database's guarantee of one subsidy per patent and scheme: a claim holds the
    patent from submission until it is withdrawn; a second live claim under the same
    scheme cannot exist (another scheme, e.g. a city's top-up, may fund it too, within
    the ceiling)."""

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="+", verbose_name=_("scheme"))
    # The patent without kind code (Patent.key), e.g. HK1234567 or US11234567.
    patent_key = models.CharField(_("patent"), max_length=30)
    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="patent_claim")
    claimed_at = models.DateTimeField(auto_now_add=True)
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("patent claim")
        verbose_name_plural = _("patent claims")
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "patent_key"],
                condition=models.Q(released_at__isnull=True),
                name="one_live_claim_per_patent_and_scheme",
            )
        ]

    def __str__(self) -> str:
        return self.patent_key


class ReferenceSequence(models.Model):
    """Counter behind PREFIX-YYYY-NNNNNN reference numbers, one per scheme prefix and
    year (row-locked by subsidy.services.applications.reference_next)."""

    prefix = models.CharField(max_length=8)
    year = models.PositiveSmallIntegerField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prefix", "year"], name="one_sequence_per_prefix_and_year")]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last_value}"
