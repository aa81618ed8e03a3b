"""Request-level protections (subsidy/security.py): the Content-Security-Policy on every
page, sessions that end, and the lockout after repeated failed sign-ins (django-axes)."""

from __future__ import annotations

import re
import time

import pytest
from django.conf import settings
from django.urls import reverse

from subsidy.models import Role
from subsidy.security import LAST_SEEN, SIGNED_IN_AT
from tests.factories import UserFactory, staff_member
from tests.subsidy.api.conftest import api_client

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"  # UserFactory's


def csp(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/notice/", "/api/docs/", "/api/redoc/", "/api/schema/"])
def test_every_response_carries_a_policy_without_inline_script(client, path):
    policy = csp(client.get(path))
    assert policy["script-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]


def test_staff_pages_carry_the_policy_and_the_other_headers(client):
    client.force_login(staff_member(Role.REVIEWER))
    response = client.get(reverse("staff:flow_chart"))
    assert response.status_code == 200
    assert csp(response)["script-src"] == ["'self'"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_swagger_ui_loads_its_start_up_script_from_a_url():
    body = api_client().get("/api/docs/").content.decode()
    assert "<script>" not in body
    script = api_client().get("/api/docs/?script=")
    assert script.status_code == 200
    assert "SwaggerUIBundle" in script.content.decode()


def test_redoc_page_loads_nothing_from_other_sites():
    body = api_client().get("/api/redoc/").content.decode()
    assert "googleapis" not in body
    assert "<script>" not in body


# Sessions ----------------------------------------------------------------------------


def sign_in(client, user, password=PASSWORD):
    return client.post(reverse("login"), {"username": user.username, "password": password})


def test_the_session_cookie_ends_with_the_browser_and_the_session_within_hours(client):
    response = sign_in(client, UserFactory())
    assert response.status_code == 302
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["expires"] == "" and cookie["max-age"] == ""
    assert cookie["httponly"] is True
    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60
    assert client.session.get_expiry_age() <= 8 * 60 * 60
    assert SIGNED_IN_AT in client.session


def _age(client, **seconds_ago: int) -> None:
    session = client.session
    now = int(time.time())
    for key, ago in seconds_ago.items():
        session[key] = now - ago
    session.save()


def test_a_session_idle_for_too_long_is_signed_out(client):
    client.force_login(UserFactory())
    _age(client, **{LAST_SEEN: settings.SESSION_IDLE_TIMEOUT + 5, SIGNED_IN_AT: settings.SESSION_IDLE_TIMEOUT + 5})
    response = client.get(reverse("portal:application_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("portal:application_list")).status_code == 302


def test_an_active_session_stays_until_its_maximum_age(client):
    client.force_login(UserFactory())
    _age(client, **{LAST_SEEN: 120, SIGNED_IN_AT: settings.SESSION_COOKIE_AGE - 60})
    assert client.get(reverse("portal:application_list")).status_code == 200
    assert int(time.time()) - client.session[LAST_SEEN] < 60  # activity noted
    _age(client, **{LAST_SEEN: 10, SIGNED_IN_AT: settings.SESSION_COOKIE_AGE + 1})
    response = client.get(reverse("portal:application_list"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_an_api_call_with_an_ended_session_is_a_401(client):
    client.force_login(UserFactory())
    _age(client, **{LAST_SEEN: settings.SESSION_IDLE_TIMEOUT + 5})
    response = client.get("/api/v1/applications/")
    assert response.status_code == 401


# Lockout after failed sign-ins ----------------------------------------------------------


def test_five_wrong_passwords_lock_the_account_from_that_address_even_with_the_right_one(client):
    user = UserFactory()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = sign_in(client, user, "wrong-password")
        assert response.status_code == 200  # the form again, with its error
    response = sign_in(client, user, "wrong-password")
    assert response.status_code == 429
    response = sign_in(client, user)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    body = response.content.decode()
    assert "Too many failed sign-ins for this account from your address. Try again in 30 minutes" in body
    assert reverse("password_reset") in body
    assert "Content-Security-Policy" in response


def test_the_count_is_per_account_whatever_the_case_typed(client):
    user = UserFactory(username="mixed@example.cn", email="mixed@example.cn")
    for typed in ["Mixed@Example.cn", "MIXED@EXAMPLE.CN", "mixed@example.cn ", "mixed@EXAMPLE.cn", "Mixed@example.CN"]:
        client.post(reverse("login"), {"username": typed, "password": "wrong-password"})
    assert sign_in(client, user).status_code == 429


def test_a_lockout_leaves_other_accounts_and_other_addresses_alone(client):
    locked, other = UserFactory(), UserFactory()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, locked, "wrong-password")
    assert sign_in(client, locked).status_code == 429
    assert sign_in(client, other).status_code == 302
    client.logout()
    elsewhere = client.post(
        reverse("login"), {"username": locked.username, "password": PASSWORD}, REMOTE_ADDR="203.0.113.9"
    )
    assert elsewhere.status_code == 302


def test_a_successful_sign_in_clears_earlier_failures(client):
    user = UserFactory()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, user, "wrong-password")
    assert sign_in(client, user).status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, user, "wrong-password")
    assert sign_in(client, user).status_code == 302


def test_the_api_token_endpoint_locks_out_too():
    user = UserFactory()
    client = api_client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post("/api/v1/auth/token/", {"username": user.username, "password": "wrong"})
        assert response.status_code == 400
    response = client.post("/api/v1/auth/token/", {"username": user.username, "password": "wrong"})
    assert response.status_code == 429
    response = client.post("/api/v1/auth/token/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.json()["detail"]


def test_a_password_reset_lifts_the_lockout_of_that_account_only(client, mailoutbox):
    locked, other = UserFactory(), UserFactory()
    for user in (locked, other):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            sign_in(client, user, "wrong-password")
        assert sign_in(client, user).status_code == 429
    client.post(reverse("password_reset"), {"email": locked.email})
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", mailoutbox[-1].body).group(1)
    form_page = client.get(link, follow=True)
    new_password = "a-new-pass-phrase-7"
    response = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password}
    )
    assert response.status_code == 302
    assert sign_in(client, locked, new_password).status_code == 302
    client.logout()
    assert sign_in(client, other).status_code == 429


# Request sizes, caching of personal data, Permissions-Policy ----------------------------


def test_an_oversize_body_is_refused_before_it_is_read(client, settings):
    """A 100 MiB anonymous POST to the letter verification API: 413 at once. The test
    client's body is empty, so reading it at all would fail ("beyond content length")."""
    path = reverse("api:letter_verify", args=["ANYTOKEN"])
    response = client.generic(
        "POST", path, b"", content_type="multipart/form-data; boundary=x", CONTENT_LENGTH=str(100 * 1024 * 1024)
    )
    assert response.status_code == 413
    assert "too large" in response.json()["detail"]


def test_an_oversize_page_upload_is_refused_with_a_translated_page(client):
    client.force_login(UserFactory())
    response = client.generic(
        "POST",
        "/portal/applications/1/documents/",
        b"",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(settings.MAX_REQUEST_BYTES + 1),
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 413
    assert "请求过大" in response.content.decode() or "too large" in response.content.decode()


def test_a_body_within_the_limit_goes_on(client):
    response = client.post(reverse("api:letter_verify", args=["NOSUCHTOKEN"]), {"file": ""})
    assert response.status_code == 404  # reached the view


def test_a_bank_return_may_be_larger_but_not_without_limit(client):
    client.force_login(staff_member(Role.FINANCE_OFFICER))
    path = reverse("staff:batch_import", args=[1])
    big = client.generic(
        "POST", path, b"", content_type="text/plain", CONTENT_LENGTH=str(settings.MAX_BANK_RETURN_REQUEST_BYTES + 1)
    )
    assert big.status_code == 413
    # 20 MB is within a bank return's limit: the view answers (no such batch), not the limit.
    allowed = client.generic("POST", path, b"", content_type="text/plain", CONTENT_LENGTH=str(0))
    assert allowed.status_code != 413


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/notice/", "/healthz", "/api/schema/"])
def test_every_response_refuses_unused_browser_features(client, path):
    policy = client.get(path)["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()", "interest-cohort=()"):
        assert feature in policy


def test_static_files_carry_the_permissions_policy_and_stay_cacheable(client):
    client.force_login(UserFactory())
    response = client.get("/static/css/site.css")
    if response.status_code == 404:
        pytest.skip("no stylesheet at this path")
    assert "camera=()" in response["Permissions-Policy"]
    assert "no-store" not in response.get("Cache-Control", "")


@pytest.mark.parametrize("path", ["/portal/applications/", "/portal/applicants/", "/notice/", "/"])
def test_whatever_a_signed_in_person_sees_is_not_stored(client, path):
    client.force_login(UserFactory())
    response = client.get(path)
    assert response["Cache-Control"] == "private, no-store"


def test_staff_pages_and_api_answers_are_not_stored(client):
    reviewer = staff_member(Role.REVIEWER)
    client.force_login(reviewer)
    assert client.get(reverse("staff:application_list"))["Cache-Control"] == "private, no-store"
    assert api_client(reviewer).get("/api/v1/applications/")["Cache-Control"] == "private, no-store"


def test_public_pages_for_visitors_may_be_cached(client):
    assert "no-store" not in client.get("/notice/").get("Cache-Control", "")
