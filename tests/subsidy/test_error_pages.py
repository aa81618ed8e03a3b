"""The site's own error pages, in the visitor's language (not a framework's)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import path

from subsidy import urls as site_urls
from tests.factories import UserFactory


def forbidden(request):
    raise PermissionDenied


def broken(request):
    raise RuntimeError("boom")


def bad_request(request):
    from django.core.exceptions import SuspiciousOperation

    raise SuspiciousOperation("bad")


urlpatterns = [
    *site_urls.urlpatterns,
    path("test-403/", forbidden),
    path("test-500/", broken),
    path("test-400/", bad_request),
    path("test-ok/", lambda request: HttpResponse("ok")),
]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


@pytest.mark.parametrize(
    ("url", "status", "english", "chinese"),
    [
        ("/no-such-page/", 404, "Page not found", "页面不存在"),
        ("/test-403/", 403, "Not allowed", "无权访问"),
        ("/test-400/", 400, "Request not understood", "无法处理此请求"),
    ],
)
def test_error_pages_in_the_visitors_language(url, status, english, chinese):
    client = Client()
    client.force_login(UserFactory())
    response = client.get(url, headers={"accept-language": "en"})
    assert response.status_code == status
    assert english in response.content.decode()
    response = client.get(url, headers={"accept-language": "zh-hans"})
    assert chinese in response.content.decode()


@override_settings(DEBUG=False)
def test_a_server_error_page_needs_neither_request_nor_database():
    client = Client(raise_request_exception=False)
    response = client.get("/test-500/", headers={"accept-language": "en"})
    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong" in page and "viewflow" not in page.lower()
