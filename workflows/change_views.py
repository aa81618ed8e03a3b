"""Who an applicant is, verified by staff: changes of an applicant's identity or bank
details that wait for two members of staff (subsidy.services.applicant_changes), and
identity claims of the real holder of a number someone else registered first
(subsidy.services.identity_claims)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from django_fsm import can_proceed, has_transition_perm

from forms.applicants import IdentityClaimDecisionForm
from forms.errors import add_service_errors
from forms.staff import ApplicantChangeDecisionForm
from subsidy.exceptions import DomainError, NotPermitted
from subsidy.models import ApplicantChange, IdentityClaim
from subsidy.models.applicant_changes import CHANGE_CHECKERS, CHANGE_CONFIRMERS
from subsidy.models.applicants import applicant_field_label
from subsidy.models.identity_claims import IDENTITY_CLAIM_DECIDERS
from subsidy.personal_data import mask_account, mask_id_number
from subsidy.selectors import applicant_changes
from subsidy.services import applicant_changes as services
from subsidy.services.identity_claims import identity_claim_evidence_open, identity_claim_grant, identity_claim_refuse
from subsidy.web import client_ip, private_file_response
from workflows.staff_views import PAGE_SIZE, CappedPaginator, staff_required

# Who sees these pages: those who verify, and auditors who read.
CHANGE_VIEWERS = {role.value for role in (*CHANGE_CHECKERS, *CHANGE_CONFIRMERS)} | {"auditor"}
MASKED = {"bank_account_number": mask_account, "id_number": mask_id_number}


def _may_view(request: HttpRequest) -> None:
    if not (request.user.is_superuser or request.staff_roles & CHANGE_VIEWERS):  # type: ignore[attr-defined]
        raise PermissionDenied(_("Your role does not verify changes of applicant details."))


def change_rows(change: ApplicantChange) -> list[tuple[str, str, str]]:
    """(label, before, requested) per field, ID and account numbers masked as everywhere."""
    rows = []
    for name in change.fields:
        show = MASKED.get(name, str)
        label = applicant_field_label(name)
        rows.append((label, show(str(change.previous.get(name) or "")), show(str(change.proposed[name] or ""))))
    return rows


@staff_required
def change_list(request: HttpRequest) -> HttpResponse:
    _may_view(request)
    show_all = request.GET.get("all") == "1"
    page = CappedPaginator(applicant_changes(open_only=not show_all), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "staff/applicant_changes.html", {"page": page, "show_all": show_all})


ACTIONS: dict[str, Any] = {
    "check": (
        "mark_checked",
        services.applicant_change_check,
        gettext_lazy("Change checked; a second person confirms it."),
    ),
    "confirm": ("confirm", services.applicant_change_confirm, gettext_lazy("Change verified and applied.")),
    "refuse": ("refuse", services.applicant_change_refuse, gettext_lazy("Change refused; the applicant is told why.")),
}


@staff_required
@require_http_methods(["GET", "POST"])
def change_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _may_view(request)
    change = get_object_or_404(applicant_changes(open_only=False), pk=pk)
    form = ApplicantChangeDecisionForm(request.POST or None)
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in ACTIONS:
            raise PermissionDenied
        if form.is_valid():
            comment = form.cleaned_data["comment"]
            service = ACTIONS[action][1]
            try:
                if action == "refuse":
                    service(change=change, by=request.user, reason=comment, ip=client_ip(request))
                else:
                    service(change=change, by=request.user, comment=comment, ip=client_ip(request))
            except NotPermitted as error:
                raise PermissionDenied(str(error.message)) from error
            except ValidationError as error:
                add_service_errors(form, error)
            except DomainError as error:
                form.add_error(None, str(error.message))
            else:
                messages.success(request, str(ACTIONS[action][2]))
                return redirect("staff:applicant_change", pk=change.pk)
    allowed = [
        action
        for action, (method, _service, _message) in ACTIONS.items()
        if can_proceed(getattr(change, method)) and has_transition_perm(getattr(change, method), request.user)
    ]
    context = {"change": change, "rows": change_rows(change), "form": form, "allowed": allowed}
    return render(request, "staff/applicant_change.html", context)


# Identity claims: the real holder of a number someone else registered first.

IDENTITY_CLAIM_VIEWERS = {role.value for role in IDENTITY_CLAIM_DECIDERS} | {"auditor"}


def _may_view_identity_claims(request: HttpRequest) -> None:
    if not (request.user.is_superuser or request.staff_roles & IDENTITY_CLAIM_VIEWERS):  # type: ignore[attr-defined]
        raise PermissionDenied(_("Your role does not decide identity claims."))


@staff_required
def identity_claim_list(request: HttpRequest) -> HttpResponse:
    _may_view_identity_claims(request)
    claims = IdentityClaim.objects.select_related("applicant", "claimant", "decided_by").order_by("-created_at", "-id")
    page = CappedPaginator(claims, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "staff/identity_claims.html", {"page": page})


@staff_required
@require_http_methods(["GET", "POST"])
def identity_claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _may_view_identity_claims(request)
    claim = get_object_or_404(IdentityClaim.objects.select_related("applicant", "claimant"), pk=pk)
    form = IdentityClaimDecisionForm(request.POST or None)
    decide = {"grant": identity_claim_grant, "refuse": identity_claim_refuse}
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in decide:
            raise PermissionDenied
        if form.is_valid():
            try:
                decide[action](
                    claim=claim, by=request.user, comment=form.cleaned_data["comment"], ip=client_ip(request)
                )
            except NotPermitted as error:
                raise PermissionDenied(str(error.message)) from error
            except ValidationError as error:
                add_service_errors(form, error)
            except DomainError as error:
                form.add_error(None, str(error.message))
            else:
                messages.success(request, _("Identity claim decided."))
                return redirect("staff:identity_claim", pk=claim.pk)
    may_decide = claim.status == "pending" and has_transition_perm(claim.grant, request.user)
    holders = claim.applicant.access.select_related("user").order_by("granted_at")
    context = {"claim": claim, "form": form, "may_decide": may_decide, "holders": holders}
    return render(request, "staff/identity_claim.html", context)


@staff_required
def identity_claim_evidence(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The evidence shows a full ID or licence number: only those who decide open it, and
    each opening is audited like any reveal of a full number."""
    claim = get_object_or_404(IdentityClaim, pk=pk)
    try:
        handle = identity_claim_evidence_open(claim=claim, by=request.user, ip=client_ip(request))
    except NotPermitted as error:
        raise PermissionDenied(str(error.message)) from error
    return private_file_response(handle, filename=claim.evidence_name, content_type=claim.evidence_type)
