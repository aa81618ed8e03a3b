"""Identity claims (subsidy.models.identity_claims): the real holder of a USCC or ID
number someone else registered first proves it, and staff decide."""

from __future__ import annotations

import os
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from subsidy import identifiers
from subsidy.audit import audit_record
from subsidy.exceptions import NotPermitted
from subsidy.models import AccessRole, Applicant, ApplicantAccess, IdentityClaim
from subsidy.models.identity_claims import IDENTITY_CLAIM_DECIDERS
from subsidy.people import Actor
from subsidy.permissions import may_not_act_for_applicants, user_has_any_role
from subsidy.services.documents import document_check, document_upload_count
from subsidy.services.guards import transition_guard


def registered_holder(number: str) -> Applicant:
    """The profile registered with this USCC or ID number, or a field error."""
    text = number.strip()
    canonical = None
    for validate in (
        identifiers.validate_uscc,
        identifiers.validate_resident_id,
        identifiers.validate_residence_permit,
    ):
        try:
            canonical = validate(text)
            break
        except ValidationError:
            continue
    if canonical is None:
        raise ValidationError(
            {"number": _("Enter a Unified Social Credit Code or an identity document number, as on the document.")}
        )
    holder = Applicant.objects.filter(uscc=canonical).first() or Applicant.objects.filter(id_number=canonical).first()
    if holder is None:
        raise ValidationError({"number": _("No profile is registered with this number: create your profile instead.")})
    return holder


@transaction.atomic
def identity_claim_submit(
    *, by: Actor, number: str, evidence: UploadedFile, note: str = "", ip: str | None = None
) -> IdentityClaim:
    if may_not_act_for_applicants(by):
        raise NotPermitted(
            _("Staff accounts cannot act for applicants. Someone on staff who applies uses a separate account.")
        )
    holder = registered_holder(number)
    if holder.is_accessible_by(by):
        raise ValidationError({"number": _("You already have access to this profile.")})
    if IdentityClaim.objects.filter(claimant=by, applicant=holder, status="pending").exists():
        raise ValidationError({"number": _("Your claim to this profile is already waiting for a decision.")})
    document_upload_count(by=by)
    content_type = document_check(evidence)
    claim = IdentityClaim(
        claimant=by,
        applicant=holder,
        note=note,
        evidence_name=os.path.basename(evidence.name or "evidence")[:255],
        evidence_type=content_type,
    )
    claim.evidence.save("evidence", evidence, save=False)
    try:
        claim.save()
    except Exception:
        claim.evidence.delete(save=False)
        raise
    audit_record(subject=holder, actor=by, action="identity_claim_submitted", ip=ip, changes={"claim": claim.pk})
    return claim


def _decide(claim: IdentityClaim, method_name: str, by: Actor) -> IdentityClaim:
    locked = IdentityClaim.objects.select_for_update().get(pk=claim.pk)
    method = getattr(locked, method_name)
    transition_guard(
        locked,
        method,
        by,
        not_now=_("This identity claim has already been decided."),
        not_yours=_("You may not decide this identity claim."),
    )
    return locked


@transaction.atomic
def identity_claim_grant(*, claim: IdentityClaim, by: Actor, comment: str, ip: str | None = None) -> IdentityClaim:
    """The claimant proved it: they get owner access to the profile, and every other
    account's access to it ends (kept on record, never deleted). The profile's drafts and
    claims stay with it."""
    locked = _decide(claim, "grant", by)
    if not comment.strip():
        raise ValidationError({"comment": _("Say how the evidence proves the claim.")})
    now = timezone.now()
    ended = list(
        ApplicantAccess.objects.filter(applicant_id=locked.applicant_id, revoked_at__isnull=True)
        .exclude(user_id=locked.claimant_id)
        .values_list("user_id", flat=True)
    )
    ApplicantAccess.objects.filter(applicant_id=locked.applicant_id, user_id__in=ended).update(revoked_at=now)
    access, created = ApplicantAccess.objects.get_or_create(
        user_id=locked.claimant_id, applicant_id=locked.applicant_id, defaults={"role": AccessRole.OWNER}
    )
    if not created:
        access.revoked_at = None
        access.role = AccessRole.OWNER
        access.save(update_fields=["revoked_at", "role"])
    locked.grant(by=by, ip=ip, comment=comment)
    locked.save()
    audit_record(
        subject=locked.applicant,
        actor=by,
        action="identity_claim_granted",
        ip=ip,
        comment=comment,
        changes={"claim": locked.pk, "access_given": locked.claimant_id, "access_ended": ended},
    )
    return locked


@transaction.atomic
def identity_claim_refuse(*, claim: IdentityClaim, by: Actor, comment: str, ip: str | None = None) -> IdentityClaim:
    locked = _decide(claim, "refuse", by)
    if not comment.strip():
        raise ValidationError({"comment": _("Say why the claim is refused; the claimant will read it.")})
    locked.refuse(by=by, ip=ip, comment=comment)
    locked.save()
    return locked


@transaction.atomic
def identity_claim_evidence_open(*, claim: IdentityClaim, by: Actor, ip: str | None = None) -> Any:
    """The evidence shows a full licence or ID number: only those who decide identity
    claims open it, and each opening is audited like any reveal of a full number."""
    if not (by.is_superuser or user_has_any_role(by, IDENTITY_CLAIM_DECIDERS)):
        raise NotPermitted(_("Your role does not decide identity claims."))
    audit_record(
        subject=claim.applicant,
        actor=by,
        action="personal_data_viewed",
        ip=ip,
        comment=f"identity claim {claim.pk}",
        changes={"field": "identity_claim_evidence", "identity_claim": claim.pk},
    )
    return claim.evidence.open("rb")
