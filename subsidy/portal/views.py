"""The applicant portal. Views are thin: they call selectors and services and
render templates; every rule lives in subsidy.rules and subsidy.services."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from functools import wraps
from typing import Any, NamedTuple, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.forms import BaseForm
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from forms.accounts import SignUpForm
from forms.applicants import ApplicantForm, IdentityClaimForm
from forms.claims import (
    COST_FIELDS,
    CostItemFormSet,
    DeclarationsForm,
    DocumentForm,
    EmailLanguageForm,
    NewClaimForm,
    PatentForm,
    ResubmitForm,
    WithdrawForm,
)
from forms.errors import add_service_errors, saved
from subsidy import rules, selectors
from subsidy.amounts import CostLine, line_in_cny
from subsidy.exceptions import DomainError, InvalidState, NotEligible, NotPermitted
from subsidy.models import (
    EDITABLE_STATUSES,
    Applicant,
    ApplicantChange,
    Application,
    ApplicationStatus,
    CostItem,
    Currency,
    IdentityClaim,
    Role,
)
from subsidy.patent_numbers import Office
from subsidy.permissions import may_not_act_for_applicants, user_is_staff_member
from subsidy.portal.steps import next_step, patent_deadline, step_states
from subsidy.services import applicants as applicant_services
from subsidy.services import applications as application_services
from subsidy.services import documents as document_services
from subsidy.services.applicant_changes import open_change_for
from subsidy.services.applicants import ApplicantFields
from subsidy.services.applications import CostItemFields, PatentFields
from subsidy.services.auth import user_activate, user_sign_up
from subsidy.services.identity_claims import identity_claim_submit
from subsidy.web import client_ip, private_file_response

View = Callable[..., HttpResponse]


def applicant_fields(form: ApplicantForm) -> ApplicantFields:
    return cast(ApplicantFields, form.cleaned_data)


def domain_errors(view: View) -> View:
    """A refusal from a service becomes a 403, or a message on the claim's page."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotPermitted as error:
            raise PermissionDenied(str(error.message)) from error
        except InvalidState as error:
            messages.error(request, str(error.message))
            if "pk" in kwargs:
                return redirect("portal:application_detail", pk=kwargs["pk"])
            return redirect("portal:application_list")

    return wrapper


def _application(request: HttpRequest, pk: int) -> Application:
    """The user's own claim, or 404: another applicant's claim does not exist for them."""
    try:
        return selectors.application_for_user(request.user, pk)
    except Application.DoesNotExist as error:
        raise Http404 from error


def _editable(request: HttpRequest, pk: int) -> Application:
    application = _application(request, pk)
    if application.status not in EDITABLE_STATUSES:
        raise InvalidState(_("This application has been submitted and can no longer be changed."))
    return application


def _safe_next(request: HttpRequest) -> str:
    """`?next=` only when it stays on this site: never a redirect to somewhere else."""
    target = request.GET.get("next", "")
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if target and allowed else ""


def _step_context(application: Application, current: str, *, errors: bool = False) -> dict[str, Any]:
    """What every step page shows; `errors`: what was just sent on this step was refused."""
    results = rules.evaluate(selectors.claim_facts(application))
    return {
        "application": application,
        "open_request": selectors.open_information_request(application),
        "steps": step_states(results, with_errors=current if errors else ""),
        "current_step": current,
        "results": results,
        "failures": [r for r in results if not r.passed],
    }


def _after_save(request: HttpRequest, application: Application, step: str) -> HttpResponse:
    if "save_draft" in request.POST:
        messages.success(request, _("Draft saved. You can come back to it at any time."))
        return redirect(request.path)
    return redirect(next_step(step).url_name, pk=application.pk)


def public_notice(request: HttpRequest) -> HttpResponse:
    """公示: approved claims during their notice period, open to everyone."""
    return render(request, "portal/public_notice.html", {"applications": selectors.public_notice_list()})


# Accounts ---------------------------------------------------------------------


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        if user_is_staff_member(request.user):
            return redirect("staff:home")
        return redirect("portal:application_list")
    return render(request, "portal/home.html", {"rounds": selectors.open_rounds()})


def signup(request: HttpRequest) -> HttpResponse:
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        user_sign_up(
            email=email,
            password=form.cleaned_data["password1"],
            role=Role.AGENT if form.cleaned_data["is_agent"] else Role.APPLICANT,
            site=request.build_absolute_uri("/"),
            language=get_language() or settings.LANGUAGE_CODE,
        )
        # The same answer whether or not the address has an account.
        return render(request, "registration/signup_sent.html", {"email": email})
    return render(request, "registration/signup.html", {"form": form})


@require_http_methods(["GET", "POST"])
def account_activate(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The link from the sign-up email. Opening it changes nothing (mail scanners open
    links); the button activates the account and signs in."""
    if request.method == "POST":
        user = user_activate(uidb64=uidb64, token=token, ip=client_ip(request))
        if user is not None:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome. First tell us who is applying."))
            return redirect("portal:applicant_create")
        return render(request, "registration/activate.html", {"invalid": True}, status=400)
    return render(request, "registration/activate.html", {"invalid": False})


# Applicant profiles -----------------------------------------------------------


@login_required
def applicant_list(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/applicant_list.html", {"applicants": selectors.applicants_for_user(request.user)})


@login_required
@domain_errors
def applicant_create(request: HttpRequest) -> HttpResponse:
    if may_not_act_for_applicants(request.user):
        raise PermissionDenied(
            _("Staff accounts cannot act for applicants. Someone on staff who applies uses a separate account.")
        )
    form = ApplicantForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and saved(
            form,
            lambda: applicant_services.applicant_create(
                by=request.user, fields=applicant_fields(form), ip=client_ip(request)
            ),
        )
    ):
        messages.success(request, _("Applicant profile saved."))
        return redirect(_safe_next(request) or reverse("portal:application_new"))
    return render(request, "portal/applicant_form.html", {"form": form})


@login_required
@domain_errors
def applicant_edit(request: HttpRequest, applicant_pk: int) -> HttpResponse:
    applicant = get_object_or_404(selectors.applicants_for_user(request.user), pk=applicant_pk)
    waiting = open_change_for(applicant)
    form = ApplicantForm(request.POST or None, instance=applicant)
    if (
        request.method == "POST"
        and form.is_valid()
        and saved(
            form,
            lambda: applicant_services.applicant_update(
                applicant=applicant, by=request.user, fields=applicant_fields(form), ip=client_ip(request)
            ),
        )
    ):
        messages.success(request, _("Applicant profile saved."))
        _tell_if_held(request, applicant, waiting)
        return redirect("portal:applicant_list")
    context = {"form": form, "applicant": applicant, "waiting": waiting}
    return render(request, "portal/applicant_form.html", context)


def _tell_if_held(request: HttpRequest, applicant: Applicant, waiting_before: ApplicantChange | None) -> None:
    """Say so when the save held identity or bank details for verification."""
    waiting = open_change_for(applicant)
    if waiting is not None and (waiting_before is None or waiting.pk != waiting_before.pk):
        messages.info(
            request,
            _(
                "A claim of yours already relies on your identity or bank details, so your change of them "
                "waits for verification by staff; you will be emailed when it is decided. Until then the "
                "details as they were stay in use."
            ),
        )


@login_required
@domain_errors
def identity_claim(request: HttpRequest) -> HttpResponse:
    """The real holder of a number someone else registered first asks for the profile."""
    if may_not_act_for_applicants(request.user):
        raise PermissionDenied(
            _("Staff accounts cannot act for applicants. Someone on staff who applies uses a separate account.")
        )
    form = IdentityClaimForm(request.POST or None, request.FILES or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and saved(
            form,
            lambda: identity_claim_submit(
                by=request.user,
                number=form.cleaned_data["number"],
                evidence=form.cleaned_data["evidence"],
                note=form.cleaned_data["note"],
                ip=client_ip(request),
            ),
        )
    ):
        messages.success(
            request, _("Your identity claim was sent. Staff will check it; you will see the decision here.")
        )
        return redirect("portal:identity_claim")
    claims = IdentityClaim.objects.filter(claimant=request.user).order_by("-created_at")
    return render(request, "portal/identity_claim.html", {"form": form, "claims": claims})


# Claims -----------------------------------------------------------------------


@login_required
def application_list(request: HttpRequest) -> HttpResponse:
    applications = selectors.applications_for_user(request.user)
    return render(request, "portal/application_list.html", {"applications": applications})


@login_required
@domain_errors
def application_new(request: HttpRequest) -> HttpResponse:
    applicants = selectors.applicants_for_user(request.user)
    if not applicants.exists():
        messages.info(request, _("First tell us who is applying."))
        return redirect(f"{reverse('portal:applicant_create')}?next={reverse('portal:application_new')}")
    rounds: QuerySet[Any] = selectors.open_rounds()
    form = NewClaimForm(request.POST or None, applicants=applicants, rounds=rounds)
    if request.method == "POST" and form.is_valid():
        application = application_services.application_create_draft(
            applicant=form.cleaned_data["applicant"], funding_round=form.cleaned_data["funding_round"], by=request.user
        )
        return redirect("portal:claim_applicant", pk=application.pk)
    return render(request, "portal/application_new.html", {"form": form, "rounds": rounds})


@login_required
@domain_errors
def claim_applicant(request: HttpRequest, pk: int) -> HttpResponse:
    application = _editable(request, pk)
    waiting = open_change_for(application.applicant)
    form = ApplicantForm(request.POST or None, instance=application.applicant)
    if (
        request.method == "POST"
        and form.is_valid()
        and saved(
            form,
            lambda: applicant_services.applicant_update(
                applicant=application.applicant, by=request.user, fields=applicant_fields(form), ip=client_ip(request)
            ),
        )
    ):
        _tell_if_held(request, application.applicant, waiting)
        return _after_save(request, application, "applicant")
    context = _step_context(application, "applicant", errors=bool(form.errors))
    return render(request, "portal/claim_applicant.html", {**context, "form": form})


@login_required
@domain_errors
def claim_patent(request: HttpRequest, pk: int) -> HttpResponse:
    application = _editable(request, pk)
    form = PatentForm(
        request.POST or None, instance=application.patent, offices=application.funding_round.scheme.offices
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and saved(
            form,
            lambda: application_services.application_set_patent(
                application=application,
                by=request.user,
                fields=cast(PatentFields, form.patent_fields()),
                proprietors=form.proprietor_list(),
            ),
        )
    ):
        return _after_save(request, application, "patent")
    context = _step_context(application, "patent", errors=bool(form.errors))
    context["patent_deadline"] = patent_deadline(application)
    offices = application.funding_round.scheme.offices
    context["hk_only"] = list(offices) == [Office.HK]
    context["office_names"] = rules.office_names(offices)
    return render(request, "portal/claim_patent.html", {**context, "form": form})


class CostRow(NamedTuple):
    form: BaseForm
    line: CostLine | None  # a foreign-currency cost as entered, with the stored rate if there is one
    amount_cny: Decimal | None


def _in_cny(form: BaseForm, application: Application) -> tuple[CostLine | None, Decimal | None]:
    """A foreign-currency cost's value in CNY at the stored rate, as the amount counts it;
    nothing for CNY costs, empty rows and rows just refused."""
    item = cast(CostItem, getattr(form, "instance", None))
    if (form.is_bound and not form.is_valid()) or item is None or item.amount is None or item.paid_on is None:
        return None, None
    if item.currency == Currency.CNY or (form.is_bound and form.cleaned_data.get("DELETE")):
        return None, None
    line = selectors.cost_line(item, application.funding_round)
    return line, line_in_cny(line)


@login_required
@domain_errors
def claim_costs(request: HttpRequest, pk: int) -> HttpResponse:
    application = _editable(request, pk)
    queryset = CostItem.objects.filter(application=application).order_by("paid_on", "id")
    formset = CostItemFormSet(request.POST or None, queryset=queryset, prefix="costs")
    if request.method == "POST" and formset.is_valid():
        items = [
            cast(CostItemFields, {name: form.cleaned_data[name] for name in COST_FIELDS})
            for form in formset.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        try:
            application_services.application_set_costs(application=application, by=request.user, items=items)
        except ValidationError as error:
            formset._non_form_errors = formset.error_class(error.messages)  # type: ignore[attr-defined]
        else:
            return _after_save(request, application, "costs")
    context = _step_context(application, "costs", errors=bool(formset.total_error_count()))
    rows = [CostRow(form, *_in_cny(form, application)) for form in formset.forms]
    return render(request, "portal/claim_costs.html", {**context, "formset": formset, "rows": rows})


@login_required
@domain_errors
def claim_documents(request: HttpRequest, pk: int) -> HttpResponse:
    application = _editable(request, pk)
    form = DocumentForm(request.POST or None, request.FILES or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and saved(
            form,
            lambda: document_services.document_upload(
                application=application,
                by=request.user,
                doc_type=form.cleaned_data["doc_type"],
                upload=form.cleaned_data["file"],
            ),
        )
    ):
        messages.success(request, _("Uploaded %(name)s.") % {"name": form.cleaned_data["file"].name})
        return redirect(request.path)
    context = _step_context(application, "documents", errors=bool(form.errors))
    return render(request, "portal/claim_documents.html", {**context, "form": form})


@login_required
@require_POST
@domain_errors
def document_delete(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    application = _editable(request, pk)
    document = get_object_or_404(application.documents.all(), pk=document_pk)
    document_services.document_delete(document=document, by=request.user)
    messages.success(request, _("Removed %(name)s.") % {"name": document.original_name})
    return redirect("portal:claim_documents", pk=pk)


@login_required
def document_download(request: HttpRequest, pk: int, document_pk: int) -> FileResponse:
    application = _application(request, pk)
    document = get_object_or_404(application.documents.all(), pk=document_pk)
    return private_file_response(
        document.file.open("rb"), filename=document.original_name, content_type=document.content_type
    )


@login_required
@domain_errors
def claim_declarations(request: HttpRequest, pk: int) -> HttpResponse:
    application = _editable(request, pk)
    asks_other_support = application.funding_round.scheme.ceiling_share is not None
    form = DeclarationsForm(request.POST or None, instance=application, asks_other_support=asks_other_support)
    if request.method == "POST" and form.is_valid():
        application_services.application_set_declarations(
            application=application,
            by=request.user,
            true_and_complete=form.cleaned_data["declare_true_and_complete"],
            no_double_funding=form.cleaned_data["declare_no_double_funding"],
            consent_to_checks=form.cleaned_data["declare_consent_to_checks"],
            other_public_support=form.cleaned_data.get("other_public_support"),
        )
        return _after_save(request, application, "declarations")
    context = _step_context(application, "declarations", errors=bool(form.errors))
    return render(request, "portal/claim_declarations.html", {**context, "form": form})


@login_required
@domain_errors
def claim_review(request: HttpRequest, pk: int) -> HttpResponse:
    application = _editable(request, pk)
    context = _step_context(application, "review")
    resubmission = application.status == ApplicationStatus.INFO_REQUESTED
    # Answering an information request comes with a reply box; a first submission does not.
    form = ResubmitForm(request.POST if request.method == "POST" else None) if resubmission else None
    context["resubmit_form"] = form
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            application_services.application_send(
                application=application,
                by=request.user,
                ip=client_ip(request),
                reply=form.cleaned_data["reply"] if form is not None else "",
            )
        except ValidationError as error:
            if form is None:
                raise
            add_service_errors(form, error)
        except NotEligible as error:
            context["failures"] = error.failures
            messages.error(request, str(error.message))
        except DomainError as error:
            if isinstance(error, NotPermitted | InvalidState):
                raise
            messages.error(request, str(error.message))
        else:
            if resubmission:
                messages.success(request, _("Your application has been resubmitted to its reviewer."))
            else:
                messages.success(request, _("Your application has been submitted."))
            return redirect("portal:application_detail", pk=application.pk)
    context["amount"] = selectors.application_amount(application)
    return render(request, "portal/claim_review.html", context)


@login_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    if application.status in EDITABLE_STATUSES:
        return redirect("portal:claim_review", pk=pk)
    amount = selectors.application_amount(application)
    return render(
        request,
        "portal/application_detail.html",
        {
            "application": application,
            "amount": amount,
            "cap_left_after_claim": selectors.applicant_cap_left_after(application, amount),
            "history": selectors.applicant_timeline(application),
            "letters": selectors.letters_for_user(request.user, application_pk=application.pk),
            "can_withdraw": application_services.can_withdraw(application, request.user),
            "language_form": EmailLanguageForm(initial={"language": application.language or get_language()}),
        },
    )


@login_required
@require_POST
@domain_errors
def application_email_language(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    form = EmailLanguageForm(request.POST)
    if form.is_valid() and saved(
        form,
        lambda: application_services.application_email_language_set(
            application=application, by=request.user, language=form.cleaned_data["language"], ip=client_ip(request)
        ),
    ):
        messages.success(request, _("Emails about this claim will be written in the language you chose."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("portal:application_detail", pk=application.pk)


@login_required
@domain_errors
def application_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        application_services.application_withdraw(
            application=application, by=request.user, ip=client_ip(request), comment=form.cleaned_data["comment"]
        )
        messages.success(request, _("The application has been withdrawn."))
        return redirect("portal:application_list")
    return render(request, "portal/application_withdraw.html", {"application": application, "form": form})
