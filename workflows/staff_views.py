"""Staff pages for incoming claims. The review workflow's task pages (workflows.task_views)
show the same case page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST
from django_fsm import can_proceed, has_transition_perm

from forms.letters import LetterCorrectionForm
from forms.reviews import ObjectionForm, ReassignForm
from forms.staff import ApplicationFilterForm
from subsidy import rules, selectors
from subsidy.claim_changes import latest_answer
from subsidy.exceptions import DomainError, NotPermitted
from subsidy.models import Applicant, Application, Role
from subsidy.models.applicant_changes import CHANGE_CHECKERS, CHANGE_CONFIRMERS
from subsidy.models.applications import may_record_objection
from subsidy.models.choices import STAFF_ROLES
from subsidy.models.identity_claims import IDENTITY_CLAIM_DECIDERS
from subsidy.permissions import (
    LETTER_MANAGERS,
    roles_administer_scheme,
    roles_manage_letters,
    roles_see_finance,
    user_roles,
)
from subsidy.personal_data import may_reveal
from subsidy.services import reviews
from subsidy.services.applicants import applicant_file_open, applicant_reveal
from subsidy.uploads import shows_inline
from subsidy.web import client_ip, private_file_response
from workflows import selectors as flow_selectors

PAGE_SIZE = 50
STAFF_ROLE_NAMES = {role.value for role in STAFF_ROLES}
# Who reads the scheme's reports (workflows/report_views.py).
REPORT_VIEWERS = {Role.SCHEME_ADMIN.value, Role.AUDITOR.value}
# Who sees the staff accounts page (scheme administrators also reset two-factor sign-in there).
ACCOUNT_VIEWERS = {Role.SCHEME_ADMIN.value, Role.AUDITOR.value}
COUNT_CAP = 1000
# Who takes the flow's tasks (inbox and queue) and reads its chart.
TASK_HOLDERS = {Role.REVIEWER.value, Role.APPROVER.value}
CHART_READERS = TASK_HOLDERS | {Role.SCHEME_ADMIN.value, Role.AUDITOR.value}
# The letters page: those who retry and correct letters, and auditors who read.
LETTER_READERS = LETTER_MANAGERS | {Role.AUDITOR.value}
# As workflows/change_views.py lets them in: those who verify, and auditors who read.
CHANGE_READERS = {role.value for role in (*CHANGE_CHECKERS, *CHANGE_CONFIRMERS, Role.AUDITOR)}
IDENTITY_CLAIM_READERS = {role.value for role in (*IDENTITY_CLAIM_DECIDERS, Role.AUDITOR)}


@dataclass(frozen=True)
class StaffAccess:
    """The staff pages a person may use, from the roles staff_required read: the nav and
    the staff home offer these and nothing else."""

    tasks: bool
    chart: bool
    letters: bool
    changes: bool
    identity_claims: bool
    finance: bool
    reports: bool
    accounts: bool
    admin_site: bool

    @classmethod
    def of(cls, user: Any, roles: set[str]) -> StaffAccess:
        superuser = bool(user.is_superuser)
        return cls(
            tasks=superuser or bool(roles & TASK_HOLDERS),
            chart=superuser or bool(roles & CHART_READERS),
            letters=superuser or bool(roles & LETTER_READERS),
            changes=superuser or bool(roles & CHANGE_READERS),
            identity_claims=superuser or bool(roles & IDENTITY_CLAIM_READERS),
            finance=roles_see_finance(user, roles),
            reports=superuser or bool(roles & REPORT_VIEWERS),
            accounts=superuser or bool(roles & ACCOUNT_VIEWERS),
            # The Django admin lets in accounts with its staff flag only.
            admin_site=bool(user.is_staff and user.is_active and roles_administer_scheme(user, roles)),
        )


class CappedPaginator(Paginator):
    """Counts at most COUNT_CAP + 1 rows: past a thousand, "more than 1,000" is all a
    person needs, and the exact count of a large filtered join costs more than the page."""

    @cached_property
    def count(self) -> int:
        rows: Any = self.object_list  # always a QuerySet here
        # Keys only: annotations of the rows (subqueries) would run for every counted row.
        return int(rows.order_by().values("pk")[: COUNT_CAP + 1].count())

    @property
    def capped(self) -> bool:
        return self.count > COUNT_CAP


def staff_required(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        # One query for the roles: the staff check and the nav (finance entries) both use them.
        roles = set() if request.user.is_superuser else user_roles(request.user)
        if not (request.user.is_superuser or roles & STAFF_ROLE_NAMES):
            raise PermissionDenied
        access = StaffAccess.of(request.user, roles)
        request.staff_roles = roles  # type: ignore[attr-defined]
        request.staff_access = access  # type: ignore[attr-defined]
        request.sees_finance = access.finance  # type: ignore[attr-defined]
        request.sees_reports = access.reports  # type: ignore[attr-defined]
        request.sees_accounts = access.accounts  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapper


def request_roles(request: HttpRequest) -> set[str]:
    """The roles staff_required read (a superuser's, which it skips, are read here)."""
    roles: set[str] = request.staff_roles  # type: ignore[attr-defined]
    return roles or (user_roles(request.user) if request.user.is_superuser else set())


@staff_required
def staff_home(request: HttpRequest) -> HttpResponse:
    """Where staff land after signing in: for each of their roles, its work and how much
    of it waits for them, read with a few grouped queries (only those their roles need)."""
    user: Any = request.user
    access: StaffAccess = request.staff_access  # type: ignore[attr-defined]
    roles = request_roles(request)
    context: dict[str, Any] = {
        "access": access,
        "is_reviewer": Role.REVIEWER.value in roles,
        "is_approver": Role.APPROVER.value in roles,
        "is_finance_officer": Role.FINANCE_OFFICER.value in roles,
        "is_finance_approver": Role.FINANCE_APPROVER.value in roles,
        "is_auditor": Role.AUDITOR.value in roles,
        "administers": roles_administer_scheme(user, roles),
    }
    if roles & TASK_HOLDERS:
        context["tasks"] = flow_selectors.task_counts(user, roles)
    if context["is_finance_officer"] or context["is_finance_approver"]:
        context["batches"] = selectors.batch_status_counts(served_by=user)
    if context["is_finance_officer"]:
        context["payable"] = selectors.batch_candidates(today=timezone.localdate(), served_by=user).count()
    if context["is_finance_approver"]:
        awaiting = list(selectors.batches_awaiting_release(served_by=user))
        context["awaiting_release"] = awaiting
        context["releasable"] = sum(1 for batch in awaiting if batch.submitted_by_id != user.pk)
    # Verification is by role (a superuser without one verifies nothing).
    context["checks_changes"] = bool(roles & {role.value for role in CHANGE_CHECKERS})
    context["confirms_changes"] = bool(roles & {role.value for role in CHANGE_CONFIRMERS})
    if context["checks_changes"] or context["confirms_changes"]:
        context["changes"] = selectors.applicant_change_counts(user)
    if roles & {role.value for role in IDENTITY_CLAIM_DECIDERS}:
        context["identity_claims"] = selectors.identity_claims_pending_count()
    return render(request, "staff/home.html", context)


@staff_required
def application_list(request: HttpRequest) -> HttpResponse:
    form = ApplicationFilterForm(request.GET or None, served_by=request.user)
    now = timezone.now()
    applications = selectors.staff_application_list(
        served_by=request.user, **form.filters(now), ordering=form.ordering()
    )
    page = CappedPaginator(applications, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "staff/application_list.html",
        {"page": page, "form": form, "query": query_without_page(request), "now": now},
    )


def query_without_page(request: HttpRequest) -> str:
    """The list's filters as a query string, for the pagination links."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _application(request: HttpRequest, pk: int) -> Application:
    """A submitted claim of a scheme the user works on (404 for any other)."""
    try:
        return selectors.staff_application_detail(pk, served_by=request.user)
    except Application.DoesNotExist as error:
        raise Http404 from error


def case_context(application: Application) -> dict[str, Any]:
    """What the case page shows: checklist, amount, documents, audit history, the
    applicant's latest answer to an information request and the flow's tasks."""
    facts = selectors.claim_facts(application)
    tasks = list(flow_selectors.case_tasks(application))
    history = selectors.application_history(application)  # read once: latest_answer fills its cache
    return {
        "application": application,
        "results": rules.evaluate(facts),
        "amount": facts.amount,
        "cap_left_after_claim": selectors.applicant_cap_left_after(application, facts.amount, facts.today),
        "history": history,
        "answer": latest_answer(history),
        "checklist": {entry.rule_code: entry for entry in application.checklist.select_related("recorded_by")},
        "tasks": tasks,
        "open_task": flow_selectors.open_task_of(tasks),
    }


@staff_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    context = case_context(application)
    # The state and the notice first: they need no query, the permission two.
    if can_proceed(application.reopen) and has_transition_perm(application.reopen, request.user):
        context["objection_form"] = ObjectionForm()
    context["may_manage_letters"] = roles_manage_letters(request_roles(request))
    context["correction_form"] = LetterCorrectionForm()
    context["reveal"] = reveal_context(request)
    add_reassign_form(request, context)
    return render(request, "staff/application_detail.html", context)


def reveal_context(request: HttpRequest) -> dict[str, bool]:
    """Which full numbers this person may ask for (each request is audited)."""
    roles: set[str] = getattr(request, "staff_roles", set())
    return {field: may_reveal(roles, field) for field in ("id_number", "bank_account_number")}


def add_reassign_form(request: HttpRequest, context: dict[str, Any], form: ReassignForm | None = None) -> None:
    """Scheme administrators may give the case's open task to someone else."""
    task = context.get("open_task")
    roles: set[str] = getattr(request, "staff_roles", set())  # read once by staff_required
    if task is not None and roles_administer_scheme(request.user, roles):
        context["reassign_form"] = form or ReassignForm(candidates=flow_selectors.reassign_candidates(task))


@staff_required
@require_POST
def record_objection(request: HttpRequest, pk: int) -> HttpResponse:
    """An objection received during the public notice reopens the case."""
    application = _application(request, pk)
    if not may_record_objection(application, request.user):
        raise PermissionDenied(_("You may not do this for this application."))
    form = ObjectionForm(request.POST)
    if form.is_valid():
        try:
            reviews.application_record_objection(
                application=application,
                by=request.user,
                objection=form.cleaned_data["objection"],
                ip=client_ip(request),
            )
        except NotPermitted as error:
            raise PermissionDenied(str(error.message)) from error
        except DomainError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("Objection recorded; the case is back with its reviewer."))
            return redirect("staff:application_detail", pk=pk)
    context = case_context(application)
    context["objection_form"] = form
    return render(request, "staff/application_detail.html", context, status=400 if form.errors else 200)


def file_opened(request: HttpRequest, application: Application, *, document: Any = None, letter: Any = None) -> None:
    """A file showing a full number: only for roles that may see it, audited
    (subsidy.services.applicants.applicant_file_open); 403 for anyone else."""
    try:
        applicant_file_open(
            application=application, by=request.user, document=document, letter=letter, ip=client_ip(request)
        )
    except NotPermitted as error:
        raise PermissionDenied(str(error.message)) from error


@staff_required
def document_download(request: HttpRequest, pk: int, document_pk: int) -> FileResponse:
    application = _application(request, pk)
    document = get_object_or_404(application.documents.all(), pk=document_pk)
    file_opened(request, application, document=document)
    return private_file_response(
        document.file.open("rb"), filename=document.original_name, content_type=document.content_type
    )


@staff_required
@xframe_options_sameorigin
def document_view(request: HttpRequest, pk: int, document_pk: int) -> FileResponse:
    """The document shown inside the case page (staff only). It is shown inline only
    if it passes the upload checks again now (a real PDF without scripts, actions or
    embedded files, or an image that decodes) as the type recorded at upload; then it
    is sent with that type, nosniff and a sandboxing Content-Security-Policy, so the
    browser renders it as that type and runs nothing. Anything else is a download."""
    application = _application(request, pk)
    document = get_object_or_404(application.documents.all(), pk=document_pk)
    file_opened(request, application, document=document)
    handle = document.file.open("rb")
    return private_file_response(
        handle,
        filename=document.original_name,
        content_type=document.content_type,
        inline=shows_inline(handle, document.content_type),
    )


@staff_required
@require_POST
def reveal_personal_data(request: HttpRequest, pk: int, field: str) -> HttpResponse:
    """ "Show full number" on the case page: one applicant's full ID or account number,
    for the roles that need it, audited (subsidy.services.applicants.applicant_reveal)."""
    application = _application(request, pk)
    try:
        value = applicant_reveal(
            applicant=application.applicant,
            field=field,
            by=request.user,
            context=application.reference or str(application.pk),
            ip=client_ip(request),
        )
    except NotPermitted as error:
        raise PermissionDenied(str(error.message)) from error
    return reveal_response(
        request, field=field, value=value, applicant=application.applicant.name, back=application_back(application)
    )


def application_back(application: Application) -> str:
    return reverse("staff:application_detail", args=[application.pk])


def field_label(field: str) -> str:
    model_field: Any = Applicant._meta.get_field(field)
    return str(capfirst(model_field.verbose_name))


def reveal_response(request: HttpRequest, *, field: str, value: str, applicant: str, back: str) -> HttpResponse:
    response = render(
        request,
        "staff/reveal.html",
        {
            "label": field_label(field),
            "value": value,
            "applicant": applicant,
            "back": back,
        },
    )
    # Shown once, to this person: not kept by the browser or any cache.
    response["Cache-Control"] = "private, no-store"
    return response
