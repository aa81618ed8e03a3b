"""The client's address behind the TLS proxy: believed only from proxies we trust. The
site's icon, linked from every page and answered at /favicon.ico."""

import pytest
from django.templatetags.static import static
from django.test import RequestFactory

from subsidy.web import client_ip

PROXY = "10.0.0.5"


def request_from(remote, forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


def test_without_trusted_proxies_the_connection_address_counts(settings):
    settings.SUBSIDY_TRUSTED_PROXIES = []
    assert client_ip(request_from(PROXY, "203.0.113.9")) == PROXY


@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        ("203.0.113.9", "203.0.113.9"),
        # A client may send its own header: only the entry our proxy appended counts.
        ("1.2.3.4, 203.0.113.9", "203.0.113.9"),
        # Two proxies of ours in a row: skip both.
        (f"203.0.113.9, {PROXY}", "203.0.113.9"),
        ("", PROXY),
    ],
)
def test_behind_a_trusted_proxy_the_forwarded_address_counts(settings, forwarded, expected):
    settings.SUBSIDY_TRUSTED_PROXIES = [PROXY]
    assert client_ip(request_from(PROXY, forwarded)) == expected


def test_a_forwarded_header_from_anyone_else_is_ignored(settings):
    settings.SUBSIDY_TRUSTED_PROXIES = [PROXY]
    assert client_ip(request_from("198.51.100.7", "203.0.113.9")) == "198.51.100.7"


@pytest.mark.django_db
def test_favicon_ico_answers_with_the_static_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == static("favicon.ico")
    assert "max-age=86400" in response["Cache-Control"]
    icon = client.get(response["Location"])
    assert icon.status_code == 200
    assert b"".join(icon.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO file's header
    assert client.post("/favicon.ico").status_code == 405


@pytest.mark.django_db
def test_every_page_links_the_icon(client):
    page = client.get("/").content.decode()
    assert f'<link rel="icon" href="{static("favicon.ico")}" sizes="32x32">' in page
    assert f'<link rel="icon" href="{static("favicon.svg")}" type="image/svg+xml">' in page
    assert client.get(static("favicon.svg")).status_code == 200
