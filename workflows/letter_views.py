"""Staff actions on decision letters: download, retry a failed generation, correct."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from forms.letters import LetterCorrectionForm
from subsidy import selectors
from subsidy.exceptions import DomainError, NotPermitted
from subsidy.models import Letter
from subsidy.permissions import in_schemes_served_by, roles_manage_letters
from subsidy.portal.letters import letter_file_response
from subsidy.services import letters as letter_services
from subsidy.web import client_ip
from workflows.staff_views import file_opened, request_roles, staff_required


@staff_required
def letter_problems(request: HttpRequest) -> HttpResponse:
    """Letters that failed to generate or are late, so that nobody waits for a letter in vain."""
    return render(
        request,
        "staff/letter_problems.html",
        {
            "letters": selectors.letters_needing_attention(served_by=request.user)[:200],
            "may_manage_letters": roles_manage_letters(request_roles(request)),
        },
    )


@staff_required
def letter_download(request: HttpRequest, pk: int, letter_pk: int) -> FileResponse:
    letter = get_object_or_404(
        _letters(request).exclude(file="").select_related("application__applicant"), pk=letter_pk, application_id=pk
    )
    file_opened(request, letter.application, letter=letter)
    return letter_file_response(letter)


def _letters(request: HttpRequest) -> QuerySet[Letter]:
    """Letters of claims of the schemes the user works on: any other is 404."""
    return Letter.objects.filter(in_schemes_served_by(request.user, "application__funding_round__scheme"))


def _may_manage(request: HttpRequest, refusal: str) -> None:
    """Checked before the form: whoever may not act is refused, valid form or not."""
    if not roles_manage_letters(request_roles(request)):
        raise PermissionDenied(refusal)


def _back(request: HttpRequest, letter: Letter) -> HttpResponse:
    if request.POST.get("next") == "problems":
        return redirect("staff:letter_problems")
    return redirect(reverse("staff:application_detail", args=[letter.application_id]) + "#letters")


@staff_required
@require_POST
def letter_retry(request: HttpRequest, letter_pk: int) -> HttpResponse:
    _may_manage(request, _("Only approvers and scheme administrators may retry a letter."))
    letter = get_object_or_404(_letters(request), pk=letter_pk)
    try:
        letter_services.letter_retry(letter=letter, by=request.user, ip=client_ip(request))
    except NotPermitted as error:
        raise PermissionDenied(str(error.message)) from error
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The letter has been queued again."))
    return _back(request, letter)


@staff_required
@require_POST
def letter_correct(request: HttpRequest, letter_pk: int) -> HttpResponse:
    _may_manage(request, _("Only approvers and scheme administrators may correct a letter."))
    letter = get_object_or_404(_letters(request), pk=letter_pk)
    form = LetterCorrectionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say what the correction changes."))
        return _back(request, letter)
    try:
        new = letter_services.letter_correct(
            letter=letter, by=request.user, reason=form.cleaned_data["reason"], ip=client_ip(request)
        )
    except NotPermitted as error:
        raise PermissionDenied(str(error.message)) from error
    except (DomainError, ValidationError) as error:
        messages.error(request, str(getattr(error, "message", error)))
    else:
        messages.success(
            request, _("Corrected letter %(reference)s is being generated.") % {"reference": new.reference}
        )
    return _back(request, letter)
