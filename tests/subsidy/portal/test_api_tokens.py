"""Everyone's own API tokens page (/accounts/tokens/, subsidy/portal/tokens.py)."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from subsidy.models import ApiToken, AuditEntry, Role, TokenRevocation
from subsidy.models.tokens import api_token_hash
from subsidy.services.tokens import api_token_create
from tests.factories import UserFactory, staff_member

pytestmark = pytest.mark.django_db
PAGE = reverse("api_tokens")


def make(client, name="laptop script", days="30"):
    return client.post(PAGE, {"name": name, "days": days})


def test_the_page_lists_ones_own_tokens_only_and_is_in_the_menu(client):
    user, other = UserFactory(), UserFactory()
    api_token_create(user=user, name="my exporter", ip=None)
    api_token_create(user=other, name="someone else's", ip=None)
    client.force_login(user)
    page = client.get(PAGE)
    assert page.status_code == 200
    body = page.content.decode()
    assert "my exporter" in body and "someone else" not in body
    assert f'href="{PAGE}"' in body  # the menu
    assert '<label for="id_name">' in body and '<label for="id_days">' in body
    assert "<script" not in body.split("</header>")[1]
    assert page["Cache-Control"] == "private, no-store"
    assert f'href="{PAGE}"' in client.get(reverse("portal:application_list")).content.decode()


def test_a_new_token_is_shown_once_on_the_answer_and_never_in_a_message(client):
    user = UserFactory()
    client.force_login(user)
    response = make(client)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    key = response.context["created"]["key"]
    token = ApiToken.objects.get(user=user)
    assert token.key_hash == api_token_hash(key) and token.name == "laptop script"
    assert key in response.content.decode()
    assert not list(get_messages(response.wsgi_request))
    again = client.get(PAGE).content.decode()
    assert key not in again and token.prefix in again
    assert AuditEntry.objects.for_object(token).get().transition == "api_token_create"


def test_an_invalid_form_makes_no_token(client):
    client.force_login(UserFactory())
    response = make(client, name="", days="400")
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"name", "days"}
    assert response.context["created"] is None
    assert not ApiToken.objects.exists()


def test_one_revokes_ones_own_token(client):
    user = UserFactory()
    token, _ = api_token_create(user=user, name="old", ip=None)
    client.force_login(user)
    response = client.post(reverse("api_token_revoke", args=[token.pk]))
    assert response.status_code == 302 and response["Location"] == PAGE
    token.refresh_from_db()
    assert token.revoked_reason == TokenRevocation.BY_OWNER
    assert "revoked" in client.get(PAGE).content.decode()


def test_someone_elses_token_is_404_and_a_get_revokes_nothing(client):
    owner = UserFactory()
    token, _ = api_token_create(user=owner, name="x", ip=None)
    client.force_login(staff_member(Role.SCHEME_ADMIN))
    assert client.post(reverse("api_token_revoke", args=[token.pk])).status_code == 404
    client.force_login(owner)
    assert client.get(reverse("api_token_revoke", args=[token.pk])).status_code == 405
    assert ApiToken.objects.live().filter(pk=token.pk).exists()


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(PAGE)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_staff_make_no_token_from_an_unverified_session_when_two_step_sign_in_is_required(client, settings):
    settings.SUBSIDY_STAFF_REQUIRE_2FA = True
    reviewer = staff_member(Role.REVIEWER)
    device = TOTPDevice.objects.create(user=reviewer, name="phone", confirmed=True)
    client.force_login(reviewer)
    refused = make(client)
    assert refused.status_code == 302 and refused["Location"].startswith(reverse("two_factor_verify"))
    assert not ApiToken.objects.exists()
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    assert client.post(reverse("two_factor_verify"), {"code": code}).status_code == 302
    assert make(client).status_code == 200
    assert ApiToken.objects.filter(user=reviewer).count() == 1


def test_the_service_refuses_an_unverified_staff_session_even_past_the_middleware(client, settings):
    """Should the middleware let a page through, the service still asks for the second factor."""
    settings.SUBSIDY_STAFF_REQUIRE_2FA = True
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != "subsidy.security.StaffTwoFactorMiddleware"]
    client.force_login(staff_member(Role.AUDITOR))
    assert make(client).status_code == 403
    assert not ApiToken.objects.exists()
