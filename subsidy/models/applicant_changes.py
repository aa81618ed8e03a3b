"""A change to who an applicant is, or where its money goes, after it counts.

Once a claim is submitted, its applicant's identity is what letters, the public notice
and the findings name; once a claim is approved, its payee is what batches pay. An
applicant who changes these afterwards does not change them: the change is held here
until two members of staff have verified it (four eyes), and only then applied.

pending ──mark_checked──> checked ──confirm──> applied
pending|checked ──refuse──> refused
pending|checked ──supersede──> superseded   (the applicant sent a newer change)
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from subsidy.models.applicants import Applicant
from subsidy.models.choices import Role
from subsidy.people import Actor, signed_in
from subsidy.permissions import user_has_any_role, user_independent_of_applicant


class ApplicantChangeStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for a first check")
    CHECKED = "checked", _("Checked, waiting for confirmation")
    APPLIED = "applied", _("Verified and applied")
    REFUSED = "refused", _("Refused")
    SUPERSEDED = "superseded", _("Replaced by a newer change")


OPEN_CHANGE_STATUSES = [ApplicantChangeStatus.PENDING, ApplicantChangeStatus.CHECKED]

# Who verifies: a first check by claims or finance staff, a confirmation by someone who
# decides (never the same person, a database check too).
CHANGE_CHECKERS = (Role.REVIEWER, Role.FINANCE_OFFICER, Role.SCHEME_ADMIN)
CHANGE_CONFIRMERS = (Role.APPROVER, Role.FINANCE_APPROVER, Role.SCHEME_ADMIN)


def may_check_change(instance: models.Model, user: Any) -> bool:
    return (
        isinstance(instance, ApplicantChange)
        and user_has_any_role(user, CHANGE_CHECKERS)
        and user_independent_of_applicant(user, instance.applicant_id)
    )


def may_confirm_change(instance: models.Model, user: Any) -> bool:
    """Four eyes: not the person who checked it."""
    return (
        isinstance(instance, ApplicantChange)
        and user_has_any_role(user, CHANGE_CONFIRMERS)
        and user.pk != instance.checked_by_id
        and user_independent_of_applicant(user, instance.applicant_id)
    )


def may_refuse_change(instance: models.Model, user: Any) -> bool:
    return isinstance(instance, ApplicantChange) and (
        user_has_any_role(user, CHANGE_CHECKERS + CHANGE_CONFIRMERS)
        and user_independent_of_applicant(user, instance.applicant_id)
    )


class ApplicantChangeQuerySet(models.QuerySet["ApplicantChange"]):
    def open(self) -> ApplicantChangeQuerySet:
        return self.filter(status__in=OPEN_CHANGE_STATUSES)


class ApplicantChange(ConcurrentTransitionMixin, models.Model):
    applicant = models.ForeignKey(
        Applicant, on_delete=models.PROTECT, related_name="changes", verbose_name=_("applicant")
    )
    status = FSMField(
        _("status"),
        max_length=20,
        choices=ApplicantChangeStatus.choices,
        default=ApplicantChangeStatus.PENDING,
        protected=True,
    )
    # field name -> value: what the applicant asks for, and what it replaces.
    proposed = models.JSONField(_("requested values"))
    previous = models.JSONField(_("values before"))
    note = models.TextField(_("applicant's note"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("checked by"),
    )
    checked_at = models.DateTimeField(_("checked"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.TextField(_("staff note"), blank=True)

    objects = ApplicantChangeQuerySet.as_manager()

    class Meta:
        verbose_name = _("change of applicant details")
        verbose_name_plural = _("changes of applicant details")
        ordering = ["requested_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["applicant"],
                condition=models.Q(status__in=OPEN_CHANGE_STATUSES),
                name="one_open_change_per_applicant",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="applied")
                | (
                    models.Q(checked_by__isnull=False, decided_by__isnull=False)
                    & ~models.Q(decided_by=models.F("checked_by"))
                ),
                name="applicant_change_four_eyes",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.applicant} ({self.get_status_display()})"

    @property
    def fields(self) -> list[str]:
        return sorted(self.proposed)

    @transition(
        field=status,
        source=ApplicantChangeStatus.PENDING,
        target=ApplicantChangeStatus.CHECKED,
        permission=may_check_change,
    )
    def mark_checked(self, *, by: Actor, ip: str | None = None, comment: str = "") -> None:
        self.checked_by = signed_in(by)
        self.checked_at = timezone.now()

    @transition(
        field=status,
        source=ApplicantChangeStatus.CHECKED,
        target=ApplicantChangeStatus.APPLIED,
        permission=may_confirm_change,
    )
    def confirm(self, *, by: Actor, ip: str | None = None, comment: str = "") -> None:
        self.decided_by = signed_in(by)
        self.decided_at = timezone.now()
        self.decision_note = comment

    @transition(
        field=status, source=OPEN_CHANGE_STATUSES, target=ApplicantChangeStatus.REFUSED, permission=may_refuse_change
    )
    def refuse(self, *, by: Actor, ip: str | None = None, comment: str = "") -> None:
        self.decided_by = signed_in(by)
        self.decided_at = timezone.now()
        self.decision_note = comment

    @transition(field=status, source=OPEN_CHANGE_STATUSES, target=ApplicantChangeStatus.SUPERSEDED)
    def supersede(self, *, by: Actor, ip: str | None = None, comment: str = "") -> None:
        """The applicant sent a newer change: this one will never be applied."""
