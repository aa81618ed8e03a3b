"""The API's documentation pages under the site's Content-Security-Policy."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularRedocView

from subsidy.security import csp_header_value

# Redoc's side menu always shows its maker's logo from their site (no option turns it
# off): the one outside address a page of ours may load, and only on this page.
REDOC_LOGO_ORIGIN = "https://cdn.redoc.ly"


class RedocView(SpectacularRedocView):
    # Our template leaves out drf-spectacular's web fonts from a third-party site.
    template_name = "api/redoc.html"

    @extend_schema(exclude=True)
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response: HttpResponse = super().get(request, *args, **kwargs)
        policy = {**settings.SECURE_CSP}
        policy["img-src"] = [*policy["img-src"], REDOC_LOGO_ORIGIN]
        response["Content-Security-Policy"] = csp_header_value(policy)
        return response
