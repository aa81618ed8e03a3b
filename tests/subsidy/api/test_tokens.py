"""API tokens through the API (subsidy/api/auth.py, subsidy/api/token_views.py): issue 17,
"one administrator can act as anyone through the API". Tokens are personal: the admin
neither shows nor makes them; each is stored as a hash, expires, can be revoked, and
only its owner lists or revokes it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib import admin
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from subsidy.models import ApiToken, AuditEntry, Role, TokenRevocation
from subsidy.models.tokens import api_token_hash
from subsidy.services.tokens import api_token_create, api_token_revoke
from tests.factories import UserFactory, staff_member
from tests.subsidy.api.conftest import api_client

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"  # UserFactory's


def client_with(key: str, language: str = "en"):
    client = api_client(language=language)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


# --- the attack --------------------------------------------------------------------------


@override_settings(SUBSIDY_STAFF_REQUIRE_2FA=False)
def test_a_scheme_administrator_can_neither_see_nor_make_anyone_elses_token_in_the_admin(client):
    """Before: /admin/authtoken/ listed every key in plain text and made one for any user,
    who could then be acted as through the API, past four eyes and two-step sign-in."""
    victim = UserFactory()
    api_token_create(user=victim, name="victim's script", ip=None)
    administrator = staff_member(Role.SCHEME_ADMIN)
    administrator.is_staff = administrator.is_superuser = True
    administrator.save()
    client.force_login(administrator)
    for path in (
        "/admin/authtoken/",
        "/admin/authtoken/token/",
        "/admin/authtoken/tokenproxy/",
        "/admin/authtoken/tokenproxy/add/",
        "/admin/subsidy/apitoken/",
        "/admin/subsidy/apitoken/add/",
    ):
        assert client.get(path).status_code == 404, path
    assert "authtoken" not in client.get("/admin/").content.decode()
    assert ApiToken not in admin.site._registry
    assert not any(model._meta.app_label == "authtoken" for model in admin.site._registry)
    assert "authtoken_token" not in connection.introspection.table_names()


# --- making a token with a password -------------------------------------------------------


def test_each_sign_in_makes_a_new_named_token_whose_key_is_shown_once():
    user = UserFactory()
    client = api_client()
    response = client.post(
        "/api/v1/auth/token/", {"username": user.username, "password": PASSWORD, "name": "nightly sync", "days": 30}
    )
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "id", "name", "prefix", "created_at", "expires_at"}
    token = ApiToken.objects.get(pk=body["id"])
    assert (token.user, token.name, token.key_hash) == (user, "nightly sync", api_token_hash(body["token"]))
    assert token.expires_at - token.created_at == dt.timedelta(days=30)
    again = client.post("/api/v1/auth/token/", {"username": user.username, "password": PASSWORD}).json()
    assert again["id"] != body["id"] and again["token"] != body["token"] and again["name"]
    assert ApiToken.objects.filter(user=user).count() == 2
    row = AuditEntry.objects.for_object(token).get()
    assert row.transition == "api_token_create" and body["token"] not in str(row.changes)


def test_a_lifetime_over_a_year_is_refused():
    user = UserFactory()
    response = api_client().post("/api/v1/auth/token/", {"username": user.username, "password": PASSWORD, "days": 366})
    assert response.status_code == 400 and "days" in response.json()
    assert not ApiToken.objects.exists()


@override_settings(SUBSIDY_STAFF_REQUIRE_2FA=True)
def test_staff_get_no_token_for_a_password_alone_when_two_step_sign_in_is_required():
    reviewer = staff_member(Role.REVIEWER)
    response = api_client().post("/api/v1/auth/token/", {"username": reviewer.username, "password": PASSWORD})
    assert response.status_code == 400 and list(response.json()) == ["otp_token"]
    assert not ApiToken.objects.exists()


# --- authenticating -----------------------------------------------------------------------


def test_a_live_token_authenticates_and_notes_its_use_at_most_once_a_minute():
    user = UserFactory()
    token, key = api_token_create(user=user, name="x", ip=None)
    client = client_with(key)
    assert client.get("/api/v1/rounds/").status_code == 200
    token.refresh_from_db()
    first_use = token.last_used_at
    assert first_use is not None
    assert client.get("/api/v1/rounds/").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at == first_use  # not written again within the minute
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first_use - dt.timedelta(minutes=2))
    assert client.get("/api/v1/rounds/").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at > first_use - dt.timedelta(minutes=2)


@pytest.mark.parametrize(
    ("case", "says"),
    [
        ("unknown", "Invalid token"),
        ("expired", "expired"),
        ("revoked", "revoked"),
        ("revoked with the password change", "revoked"),
        ("deactivated", "deactivated"),
    ],
)
def test_a_token_that_no_longer_works_gets_401_saying_why(case, says):
    user = UserFactory()
    token, key = api_token_create(user=user, name="x", ip=None)
    if case == "unknown":
        key = key[::-1]
    elif case == "expired":
        ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    elif case == "revoked":
        api_token_revoke(token=token, by=user, reason=TokenRevocation.BY_OWNER, ip=None)
    elif case == "revoked with the password change":
        user.set_password("another-pass-phrase-9")
        user.save()
    elif case == "deactivated":
        # Past the revocation too: an account switched off by a bulk update still gets no access.
        type(user).objects.filter(pk=user.pk).update(is_active=False)
    response = client_with(key).get("/api/v1/applications/")
    assert response.status_code == 401
    assert says in response.json()["detail"]
    assert response["WWW-Authenticate"] == "Token"


def test_the_old_plain_text_keys_work_no_more():
    """A 40-character key of rest_framework.authtoken, as an integration still holds it."""
    UserFactory()
    assert client_with("9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b").get("/api/v1/rounds/").status_code == 401


# --- one's own tokens ---------------------------------------------------------------------


def test_the_list_shows_ones_own_tokens_and_never_a_key_or_hash():
    user, other = UserFactory(), UserFactory()
    mine, key = api_token_create(user=user, name="mine", ip=None)
    old, _ = api_token_create(user=user, name="old", ip=None)
    api_token_revoke(token=old, by=user, reason=TokenRevocation.BY_OWNER, ip=None)
    theirs, their_key = api_token_create(user=other, name="theirs", ip=None)
    response = client_with(key).get("/api/v1/auth/tokens/")
    assert response.status_code == 200
    results = response.json()["results"]
    assert [(t["name"], t["status"], t["revoked_reason"]) for t in results] == [
        ("old", "revoked", "revoked_by_owner"),
        ("mine", "active", ""),
    ]
    assert set(results[1]) == {
        "id", "name", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at", "revoked_reason", "status",
    }  # fmt: skip
    text = response.content.decode()
    for secret in (key, their_key, mine.key_hash, theirs.key_hash, "key_hash"):
        assert secret not in text


def test_one_revokes_ones_own_token_and_it_stops_working_at_once():
    user = UserFactory()
    token, key = api_token_create(user=user, name="x", ip=None)
    client = client_with(key)
    assert client.delete(f"/api/v1/auth/tokens/{token.pk}/").status_code == 204
    assert client.get("/api/v1/rounds/").status_code == 401
    token.refresh_from_db()
    assert token.revoked_reason == TokenRevocation.BY_OWNER
    (row,) = AuditEntry.objects.for_object(token).filter(transition="api_token_revoke")
    assert row.actor == user


def test_someone_elses_token_is_404_even_for_a_scheme_administrator():
    owner = UserFactory()
    token, owner_key = api_token_create(user=owner, name="x", ip=None)
    for other in (UserFactory(), staff_member(Role.SCHEME_ADMIN), staff_member(Role.AUDITOR)):
        client = api_client(other)
        assert client.delete(f"/api/v1/auth/tokens/{token.pk}/").status_code == 404
        assert token.pk not in [t["id"] for t in client.get("/api/v1/auth/tokens/").json()["results"]]
    assert client_with(owner_key).get("/api/v1/rounds/").status_code == 200


def test_the_browser_session_lists_and_revokes_too(client):
    user = UserFactory()
    token, _ = api_token_create(user=user, name="x", ip=None)
    client.force_login(user)
    assert [t["id"] for t in client.get("/api/v1/auth/tokens/").json()["results"]] == [token.pk]
    assert client.delete(f"/api/v1/auth/tokens/{token.pk}/").status_code == 204
    assert ApiToken.objects.filter(pk=token.pk).live().count() == 0
