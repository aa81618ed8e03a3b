"""Staff accounts: who has which role and an authenticator app enrolled; scheme
administrators issue enrolment codes, reset the two-factor sign-in of someone who lost
their phone, and hand over the cases of someone who leaves."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from forms.errors import add_service_errors
from forms.staff import HandOverForm, TwoFactorResetForm
from subsidy import selectors
from subsidy.exceptions import NotPermitted
from subsidy.permissions import in_schemes_served_by, roles_administer_scheme
from subsidy.services.auth import otp_devices_reset
from subsidy.web import client_ip
from workflows import selectors as flow_selectors
from workflows.services import staff_cases_hand_over
from workflows.staff_views import PAGE_SIZE, CappedPaginator, staff_required


def _may_reset(request: HttpRequest) -> bool:
    return roles_administer_scheme(request.user, request.staff_roles)  # type: ignore[attr-defined]


@staff_required
def staff_accounts(request: HttpRequest) -> HttpResponse:
    if not request.sees_accounts:  # type: ignore[attr-defined]
        raise PermissionDenied(_("Only scheme administrators and auditors may see the staff accounts."))
    page = CappedPaginator(flow_selectors.staff_accounts_with_tasks(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "staff/accounts.html", {"page": page, "may_reset": _may_reset(request), "query": ""})


@staff_required
@require_http_methods(["GET", "POST"])
def two_factor_reset(request: HttpRequest, user_pk: int) -> HttpResponse:
    # The role is checked before anything the request sends is looked at.
    if not _may_reset(request):
        raise PermissionDenied(_("Only scheme administrators may reset someone's two-factor sign-in."))
    account = get_object_or_404(selectors.staff_accounts(), pk=user_pk)
    form = TwoFactorResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            reset = otp_devices_reset(
                user=account, by=request.user, reason=form.cleaned_data["reason"], ip=client_ip(request)
            )
        except NotPermitted as error:
            raise PermissionDenied(str(error.message)) from error
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            # The enrolment code is shown on this answer only: never in a message (kept in
            # the session) nor in any cache.
            response = render(request, "staff/two_factor_reset_done.html", {"account": account, "reset": reset})
            response["Cache-Control"] = "private, no-store"
            return response
    return render(request, "staff/two_factor_reset.html", {"account": account, "form": form})


@staff_required
@require_http_methods(["GET", "POST"])
def hand_over(request: HttpRequest, user_pk: int) -> HttpResponse:
    """Someone leaves or is away for long: their reviews go to another reviewer, the
    decisions they hold back to the approvers' queue."""
    if not _may_reset(request):
        raise PermissionDenied(_("Only scheme administrators may reassign a case."))
    account = get_object_or_404(selectors.staff_accounts(), pk=user_pk)
    form = HandOverForm(request.POST or None, candidates=flow_selectors.hand_over_candidates(account))
    if request.method == "POST" and form.is_valid():
        try:
            result = staff_cases_hand_over(
                user=account,
                to=form.cleaned_data["to"],
                by=request.user,
                reason=form.cleaned_data["reason"],
                ip=client_ip(request),
            )
        except NotPermitted as error:
            raise PermissionDenied(str(error.message)) from error
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            context = {"account": account, "to": form.cleaned_data["to"], "result": result}
            return render(request, "staff/hand_over_done.html", context)
    held = flow_selectors.task_inbox(account).filter(
        in_schemes_served_by(request.user, f"{flow_selectors.CASE}__funding_round__scheme")
    )
    rows = flow_selectors.task_rows(held, timezone.now())
    return render(request, "staff/hand_over.html", {"account": account, "form": form, "rows": rows})
