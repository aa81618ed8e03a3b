"""An identity claim: someone says an organisation or person already registered here is
theirs, and proves it (business licence, identity document). Whoever registers a USCC or
ID number first would otherwise lock the real holder out. Staff decide, audited:
granting gives the claimant access to the profile and ends everyone else's access.

pending ──grant──> granted
pending ──refuse──> refused
"""

from __future__ import annotations

import uuid
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

# Who decides identity claims; auditors read them.
IDENTITY_CLAIM_DECIDERS = (Role.APPROVER, Role.SCHEME_ADMIN)


class IdentityClaimStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for a decision")
    GRANTED = "granted", _("Granted")
    REFUSED = "refused", _("Refused")


def may_decide_identity_claim(instance: models.Model, user: Any) -> bool:
    return (
        isinstance(instance, IdentityClaim)
        and user_has_any_role(user, IDENTITY_CLAIM_DECIDERS)
        and user.pk != instance.claimant_id
        and user_independent_of_applicant(user, instance.applicant_id)
    )


def evidence_path(instance: IdentityClaim, filename: str) -> str:
    return f"identity-claims/{uuid.uuid4().hex}"


class IdentityClaim(ConcurrentTransitionMixin, models.Model):
    claimant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="identity_claims", verbose_name=_("claimant")
    )
    applicant = models.ForeignKey(
        Applicant, on_delete=models.PROTECT, related_name="identity_claims", verbose_name=_("applicant")
    )
    status = FSMField(
        _("status"),
        max_length=10,
        choices=IdentityClaimStatus.choices,
        default=IdentityClaimStatus.PENDING,
        protected=True,
    )
    note = models.TextField(_("claimant's note"), blank=True)
    evidence = models.FileField(_("evidence"), upload_to=evidence_path, max_length=200)
    evidence_name = models.CharField(_("file name"), max_length=255)
    evidence_type = models.CharField(_("content type"), max_length=50)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
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

    class Meta:
        verbose_name = _("identity claim")
        verbose_name_plural = _("identity claims")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["claimant", "applicant"],
                condition=models.Q(status="pending"),
                name="one_pending_identity_claim",
            ),
            models.CheckConstraint(
                condition=models.Q(decided_by__isnull=True) | ~models.Q(decided_by=models.F("claimant")),
                name="identity_claim_not_decided_by_claimant",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.applicant} ← {self.claimant}"

    @transition(
        field=status,
        source=IdentityClaimStatus.PENDING,
        target=IdentityClaimStatus.GRANTED,
        permission=may_decide_identity_claim,
    )
    def grant(self, *, by: Actor, ip: str | None = None, comment: str = "") -> None:
        self.decided_by = signed_in(by)
        self.decided_at = timezone.now()
        self.decision_note = comment

    @transition(
        field=status,
        source=IdentityClaimStatus.PENDING,
        target=IdentityClaimStatus.REFUSED,
        permission=may_decide_identity_claim,
    )
    def refuse(self, *, by: Actor, ip: str | None = None, comment: str = "") -> None:
        self.decided_by = signed_in(by)
        self.decided_at = timezone.now()
        self.decision_note = comment
