"""Finance pages: disbursement batches (build, submit, release, export, reconcile) and
the budget per funding round. Every change goes through subsidy.services.batches;
the pages only ask which actions the person may take."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_fsm import can_proceed, has_transition_perm

from forms.finance import BankReturnForm, BatchCancelForm, BatchSelectionForm, BatchWithdrawForm, ExportForm
from subsidy import selectors
from subsidy.exceptions import DomainError, NotPermitted
from subsidy.models import Batch, ExportFormat, Role
from subsidy.models.batches import may_handle_bank_files
from subsidy.personal_data import may_reveal
from subsidy.services import batches as services
from subsidy.services.applicants import applicant_reveal
from subsidy.web import client_ip, private_file_response
from workflows.staff_views import query_without_page, reveal_response, staff_required

LINES_PER_PAGE = 100
BATCHES_PER_PAGE = 50
PREVIEW_ROWS = 50


def finance_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Finance staff; auditors and scheme administrators may look."""

    @wraps(view)
    @staff_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if not request.sees_finance:  # type: ignore[attr-defined]
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _batch(request: HttpRequest, pk: int) -> Batch:
    """The batch, if it pays claims of the schemes the user works on only (404 otherwise)."""
    try:
        return selectors.batch_detail(pk, served_by=request.user)
    except Batch.DoesNotExist as error:
        raise Http404 from error


def _error_text(error: ValidationError) -> str:
    return " ".join(str(m) for m in error.messages)


@finance_required
def batch_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.batch_list(served_by=request.user), BATCHES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "finance/batch_list.html",
        {
            "page": page,
            "query": query_without_page(request),
            "may_build": Role.FINANCE_OFFICER.value in request.staff_roles,  # type: ignore[attr-defined]
        },
    )


@finance_required
def batch_new(request: HttpRequest) -> HttpResponse:
    """Choose the claims (filters), see how many and how much, build the draft."""
    if request.method == "POST" and Role.FINANCE_OFFICER.value not in request.staff_roles:  # type: ignore[attr-defined]
        raise PermissionDenied(_("Only finance officers build disbursement batches."))
    data = request.POST if request.method == "POST" else request.GET
    form = BatchSelectionForm(data or None, served_by=request.user)
    filters = form.filters()
    candidates = selectors.batch_candidates(today=timezone.localdate(), served_by=request.user, **filters)
    if request.method == "POST" and form.is_valid():
        try:
            batch = services.batch_create(by=request.user, ip=client_ip(request), **filters)
        except NotPermitted as error:
            raise PermissionDenied(str(error.message)) from error
        except DomainError as error:
            messages.error(request, str(error.message))
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(
                request,
                _("Draft batch %(reference)s built with %(count)s payments.")
                % {"reference": batch.reference, "count": batch.line_count},
            )
            return redirect("staff:batch_detail", pk=batch.pk)
    count, total = selectors.candidates_summary(candidates)
    preview = candidates.select_related("applicant", "funding_round")[:PREVIEW_ROWS]
    return render(
        request,
        "finance/batch_new.html",
        {"form": form, "count": count, "total": total, "preview": preview, "query": data.urlencode()},
    )


def _actions(batch: Batch, user: Any) -> dict[str, bool]:
    def may(method: Any) -> bool:
        return bool(can_proceed(method) and has_transition_perm(method, user))

    return {
        "submit": may(batch.submit),
        "release": may(batch.release),
        "cancel": may(batch.cancel),
        "withdraw": may(batch.withdraw),
        "export": batch.is_released and may_handle_bank_files(batch, user),
        # Shown with the export buttons: a bank file arrives as a download and the page
        # stays as it was, so the form is there for the bank's answer without a reload.
        # Before any export, the import service refuses the file with a message.
        "import": batch.is_released and may_handle_bank_files(batch, user),
        "is_submitter": batch.submitted_by_id == user.pk,
    }


@finance_required
def batch_detail(request: HttpRequest, pk: int, *, status: int = 200, **forms: Any) -> HttpResponse:
    batch = _batch(request, pk)
    lines = Paginator(selectors.batch_lines(batch), LINES_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "batch": batch,
        "lines": lines,
        "query": query_without_page(request),
        "actions": _actions(batch, request.user),
        "line_counts": selectors.batch_line_counts(batch),
        "exports": selectors.batch_exports(batch),
        "bank_returns": selectors.batch_bank_returns(batch),
        "history": selectors.batch_history(batch),
        "cancel_form": forms.get("cancel_form") or BatchCancelForm(),
        "withdraw_form": forms.get("withdraw_form") or BatchWithdrawForm(),
        "export_form": ExportForm(),
        "return_form": forms.get("return_form") or BankReturnForm(),
        "formats": ExportFormat.choices,
        # Summarised at the top of the page, whichever section's form it is.
        "failed_form": next((form for form in forms.values() if form.errors), None),
        "may_reveal_account": may_reveal(request.staff_roles, "bank_account_number"),  # type: ignore[attr-defined]
    }
    return render(request, "finance/batch_detail.html", context, status=status)


@finance_required
@require_POST
def batch_transition(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    batch = _batch(request, pk)
    ip = client_ip(request)
    try:
        if action == "submit":
            services.batch_submit(batch=batch, by=request.user, ip=ip)
            messages.success(request, _("Submitted: a different finance approver must now release the batch."))
        elif action == "release":
            services.batch_release(batch=batch, by=request.user, ip=ip)
            messages.success(request, _("Released: the claims are in payment; export the bank file."))
        elif action == "cancel":
            form = BatchCancelForm(request.POST)
            if not form.is_valid():
                return batch_detail(request, pk, status=400, cancel_form=form)
            services.batch_cancel(batch=batch, by=request.user, reason=form.cleaned_data["reason"], ip=ip)
            messages.success(request, _("Batch cancelled; its claims may go into a new batch."))
        elif action == "withdraw":
            withdraw_form = BatchWithdrawForm(request.POST)
            if not withdraw_form.is_valid():
                return batch_detail(request, pk, status=400, withdraw_form=withdraw_form)
            try:
                services.batch_withdraw(
                    batch=batch,
                    by=request.user,
                    reason=withdraw_form.cleaned_data["reason"],
                    file_not_sent=withdraw_form.cleaned_data["file_not_sent"],
                    ip=ip,
                )
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    for field, field_errors in error.message_dict.items():
                        withdraw_form.add_error(field if field in withdraw_form.fields else None, field_errors)
                    return batch_detail(request, pk, status=400, withdraw_form=withdraw_form)
                raise
            messages.success(
                request, _("Batch withdrawn: its unpaid claims are approved again and may go into a new batch.")
            )
        else:
            raise Http404
    except NotPermitted as error:
        raise PermissionDenied(str(error.message)) from error
    except DomainError as error:
        messages.error(request, str(error.message))
    except ValidationError as error:
        messages.error(request, _error_text(error))
    return redirect("staff:batch_detail", pk=pk)


@finance_required
@require_POST
def batch_export(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The bank file, written and checked before the first byte is sent, then streamed."""
    batch = _batch(request, pk)
    if not may_handle_bank_files(batch, request.user):
        raise PermissionDenied(_("Only finance staff export batches."))
    form = ExportForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a format."))
        return redirect("staff:batch_detail", pk=pk)
    try:
        exported = services.batch_export(
            batch=batch, export_format=form.cleaned_data["export_format"], by=request.user, ip=client_ip(request)
        )
    except NotPermitted as error:
        raise PermissionDenied(str(error.message)) from error
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect("staff:batch_detail", pk=pk)
    response = private_file_response(exported.file, filename=exported.filename, content_type=exported.content_type)
    response["X-Content-SHA256"] = exported.sha256
    return response


@finance_required
@require_POST
def batch_import(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    if not may_handle_bank_files(batch, request.user):
        raise PermissionDenied(_("Only finance staff import bank return files."))
    form = BankReturnForm(request.POST, request.FILES)
    if not form.is_valid():
        return batch_detail(request, pk, status=400, return_form=form)
    upload = form.cleaned_data["return_file"]
    try:
        result = services.batch_import_return(
            batch=batch, data=upload.read(), filename=upload.name, by=request.user, ip=client_ip(request)
        )
    except NotPermitted as error:
        raise PermissionDenied(str(error.message)) from error
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect("staff:batch_detail", pk=pk)
    if result.repeated:
        messages.warning(
            request,
            _("This file was already imported on %(date)s; nothing was changed.")
            % {"date": date_format(timezone.localtime(result.bank_return.imported_at), "DATETIME_FORMAT")},
        )
    else:
        messages.success(
            request,
            _("Return file imported: %(paid)s paid, %(failed)s failed, %(reported)s reported without change.")
            % {"paid": result.paid, "failed": result.failed, "reported": len(result.reported)},
        )
    return redirect("staff:batch_detail", pk=pk)


@finance_required
def budget(request: HttpRequest) -> HttpResponse:
    return render(request, "finance/budget.html", {"budgets": selectors.round_budgets(served_by=request.user)})


@finance_required
@require_POST
def batch_line_reveal(request: HttpRequest, pk: int, line_pk: int) -> HttpResponse:
    """ "Show full number" on a batch line: the account it pays to, audited."""
    batch = _batch(request, pk)
    line = get_object_or_404(batch.lines.select_related("application__applicant"), pk=line_pk)
    try:
        value = applicant_reveal(
            applicant=line.application.applicant,
            field="bank_account_number",
            by=request.user,
            context=f"{batch.reference} #{line.sequence}",
            line=line,
            ip=client_ip(request),
        )
    except NotPermitted as error:
        raise PermissionDenied(str(error.message)) from error
    return reveal_response(
        request,
        field="bank_account_number",
        value=value,
        applicant=line.payee_name,
        back=reverse("staff:batch_detail", args=[batch.pk]),
    )
