"""Everyone's own API tokens (/accounts/tokens/): the list, a form to make one and a
button to revoke each. A new key is shown on the answer to the form only, never in a
message (kept in the session) nor in any cache; nobody else's tokens appear here."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from forms.accounts import ApiTokenForm
from forms.errors import add_service_errors
from subsidy.exceptions import NotPermitted
from subsidy.models import ApiToken, TokenRevocation
from subsidy.permissions import user_is_staff_member
from subsidy.services import tokens as token_services
from subsidy.web import client_ip


def _second_factor(request: HttpRequest) -> bool:
    """Whether this session was confirmed with a code from an authenticator app
    (django-otp's middleware gives the user is_verified)."""
    is_verified = getattr(request.user, "is_verified", None)
    return bool(is_verified is not None and is_verified())


@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    initial = {"days": token_services.api_token_days_default()}
    form = ApiTokenForm(request.POST or None, initial=initial)
    created: dict[str, Any] | None = None
    if request.method == "POST" and form.is_valid():
        try:
            token, key = token_services.api_token_create(
                user=request.user,
                name=form.cleaned_data["name"],
                days=form.cleaned_data["days"],
                ip=client_ip(request),
                second_factor=_second_factor(request),
            )
        except NotPermitted as error:
            raise PermissionDenied(str(error.message)) from error
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            created = {"token": token, "key": key}
            form = ApiTokenForm(initial=initial)
    context = {
        "form": form,
        "tokens": ApiToken.objects.of(request.user),
        "created": created,
        "staff_nav": user_is_staff_member(request.user),
    }
    response = render(request, "registration/api_tokens.html", context)
    # The page may carry a key: kept by no cache, shown once.
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def api_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken.objects.of(request.user), pk=pk)
    try:
        token_services.api_token_revoke(
            token=token, by=request.user, reason=TokenRevocation.BY_OWNER, ip=client_ip(request)
        )
    except NotPermitted as error:
        raise PermissionDenied(str(error.message)) from error
    messages.success(request, _("The token “%(name)s” is revoked: it no longer works.") % {"name": token.name})
    return redirect("api_tokens")
