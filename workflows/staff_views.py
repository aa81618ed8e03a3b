"""Staff pages for incoming claims. The review workflow (ApplicationFlow) builds on these."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from subsidy import rules, selectors
from subsidy.models import Application, ApplicationStatus
from subsidy.permissions import user_is_staff_member

PAGE_SIZE = 50


def staff_required(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if not user_is_staff_member(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


@staff_required
def application_list(request: HttpRequest) -> HttpResponse:
    applications = selectors.staff_application_list()
    status = request.GET.get("status", "")
    if status in ApplicationStatus.values:
        applications = applications.filter(status=status)
    page = Paginator(applications, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "staff/application_list.html",
        {"page": page, "status": status, "statuses": ApplicationStatus.choices},
    )


def _application(pk: int) -> Application:
    try:
        return selectors.staff_application_detail(pk)
    except Application.DoesNotExist as error:
        raise Http404 from error


@staff_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(pk)
    facts = selectors.claim_facts(application)
    return render(
        request,
        "staff/application_detail.html",
        {
            "application": application,
            "results": rules.evaluate(facts),
            "amount": facts.amount,
            "history": selectors.application_history(application),
        },
    )


@staff_required
def document_download(request: HttpRequest, pk: int, document_pk: int) -> FileResponse:
    application = _application(pk)
    document = get_object_or_404(application.documents.all(), pk=document_pk)
    return FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
