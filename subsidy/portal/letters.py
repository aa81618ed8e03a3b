"""Letters for the applicant (download) and for anyone (verification by short link)."""

from __future__ import annotations

import hashlib

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_http_methods

from forms.letters import LetterCheckForm
from subsidy import selectors
from subsidy.models import Letter
from subsidy.web import private_file_response


def letter_file_response(letter: Letter) -> FileResponse:
    return private_file_response(letter.file.open("rb"), filename=letter.file_name, content_type="application/pdf")


@login_required
def letter_download(request: HttpRequest, pk: int, letter_pk: int) -> FileResponse:
    """Only the letters of the user's own claims: anything else is 404, as if it did not exist."""
    letter = get_object_or_404(selectors.letters_for_user(request.user, application_pk=pk), pk=letter_pk)
    return letter_file_response(letter)


@require_http_methods(["GET", "POST"])
def letter_verify(request: HttpRequest, token: str) -> HttpResponse:
    """Public: the letter's reference, status and SHA-256 and the applicant's name,
    nothing else. A copy can be uploaded to compare its digest with the recorded one."""
    letter = get_object_or_404(selectors.verifiable_letters(), token=token.upper())
    form = LetterCheckForm(request.POST or None, request.FILES or None)
    checked = None
    if request.method == "POST" and form.is_valid():
        digest = hashlib.sha256()
        for chunk in form.cleaned_data["file"].chunks():
            digest.update(chunk)
        checked = {"sha256": digest.hexdigest(), "authentic": digest.hexdigest() == letter.sha256}
    context = {
        "letter": letter,
        "applicant_name": letter.content.get("applicant_name", ""),
        "form": form,
        "checked": checked,
    }
    return render(request, "portal/letter_verify.html", context, status=400 if form.errors else 200)
