"""Personal API tokens (subsidy.services.tokens): stored as hashes, made and revoked
only by their owner, audited, and all revoked when the account's password changes, its
two-factor sign-in is reset or it is deactivated, whatever path makes the change."""

from __future__ import annotations

import datetime as dt
import importlib
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from subsidy.exceptions import NotPermitted
from subsidy.models import ApiToken, AuditEntry, Role, TokenRevocation
from subsidy.models.tokens import api_token_hash
from subsidy.services.auth import otp_devices_reset
from subsidy.services.tokens import api_token_create, api_token_revoke, api_tokens_revoke_all
from tests.factories import UserFactory, staff_member

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"  # UserFactory's
NEW_PASSWORD = "a-new-pass-phrase-7"


def audit_rows(token: ApiToken) -> list[AuditEntry]:
    return list(AuditEntry.objects.for_object(token))


def live(user) -> int:
    return ApiToken.objects.filter(user=user).live().count()


# --- making one ------------------------------------------------------------------------


def test_a_token_is_stored_only_as_a_hash_and_its_key_is_in_no_row():
    user = UserFactory()
    token, key = api_token_create(user=user, name="  nightly   export ", days=None, ip="198.51.100.7")
    token.refresh_from_db()
    assert token.name == "nightly export"
    assert token.key_hash == api_token_hash(key) and len(key) >= 40
    assert token.prefix == key[:8]
    stored = [str(value) for value in ApiToken.objects.filter(pk=token.pk).values().get().values()]
    assert not any(key in value for value in stored)
    with connection.cursor() as cursor:  # nowhere in the table, whatever the column
        cursor.execute(
            "SELECT COUNT(*) FROM subsidy_apitoken WHERE CAST(subsidy_apitoken AS text) LIKE %s", [f"%{key}%"]
        )
        assert cursor.fetchone()[0] == 0
    (row,) = audit_rows(token)
    assert (row.transition, row.to_state, row.actor, row.ip_address) == (
        "api_token_create",
        "active",
        user,
        "198.51.100.7",
    )
    assert row.changes["name"] == "nightly export"
    assert key not in str(row.changes) and key not in row.comment


def test_the_lifetime_defaults_to_the_setting_and_is_at_most_a_year(settings):
    user = UserFactory()
    before = timezone.now()
    token, _ = api_token_create(user=user, name="a", ip=None)
    assert dt.timedelta(days=90) <= token.expires_at - before < dt.timedelta(days=90, minutes=1)
    settings.SUBSIDY_API_TOKEN_DAYS = 7
    token, _ = api_token_create(user=user, name="b", ip=None)
    assert token.expires_at - before < dt.timedelta(days=7, minutes=1)
    token, _ = api_token_create(user=user, name="c", days=365, ip=None)
    assert token.expires_at - before >= dt.timedelta(days=365)
    for days in (0, -1, 366):
        with pytest.raises(ValidationError) as refused:
            api_token_create(user=user, name="d", days=days, ip=None)
        assert list(refused.value.error_dict) == ["days"]


def test_a_token_needs_a_name():
    for name in ("", "   ", "x" * 101):
        with pytest.raises(ValidationError) as refused:
            api_token_create(user=UserFactory(), name=name, ip=None)
        assert list(refused.value.error_dict) == ["name"]
    assert not ApiToken.objects.exists()


def test_each_call_makes_another_token():
    user = UserFactory()
    (first, first_key), (second, second_key) = (api_token_create(user=user, name="x", ip=None) for _ in range(2))
    assert first.pk != second.pk and first_key != second_key
    assert live(user) == 2


def test_a_deactivated_account_gets_no_token():
    user = UserFactory(is_active=False)
    with pytest.raises(NotPermitted):
        api_token_create(user=user, name="x", ip=None)


@override_settings(SUBSIDY_STAFF_REQUIRE_2FA=True)
def test_staff_need_their_second_factor_to_make_a_token_when_it_is_required():
    approver = staff_member(Role.APPROVER)
    with pytest.raises(NotPermitted, match="authenticator app"):
        api_token_create(user=approver, name="x", ip=None)
    assert not ApiToken.objects.exists() and not AuditEntry.objects.filter(transition="api_token_create").exists()
    api_token_create(user=approver, name="x", ip=None, second_factor=True)
    # Applicants have no second factor and are not asked for one.
    api_token_create(user=UserFactory(), name="x", ip=None)
    assert ApiToken.objects.count() == 2


@override_settings(SUBSIDY_STAFF_REQUIRE_2FA=False)
def test_without_two_step_sign_in_required_staff_make_tokens_like_anyone():
    api_token_create(user=staff_member(Role.SCHEME_ADMIN), name="x", ip=None)


# --- revoking --------------------------------------------------------------------------


def test_the_owner_revokes_a_token_once_and_it_is_audited():
    user = UserFactory()
    token, _ = api_token_create(user=user, name="x", ip=None)
    api_token_revoke(token=token, by=user, reason=TokenRevocation.BY_OWNER, ip="203.0.113.5")
    api_token_revoke(token=token, by=user, reason=TokenRevocation.BY_OWNER, ip="203.0.113.5")  # again: nothing
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_reason == TokenRevocation.BY_OWNER
    assert token.state == "revoked" and not ApiToken.objects.filter(pk=token.pk).live().exists()
    revoked = [row for row in audit_rows(token) if row.transition == "api_token_revoke"]
    assert [(r.actor, r.from_state, r.to_state, r.comment) for r in revoked] == [
        (user, "active", "revoked", "revoked_by_owner")
    ]


@pytest.mark.parametrize("who", ["another applicant", "scheme administrator", "superuser"])
def test_nobody_revokes_someone_elses_token(who):
    owner = UserFactory()
    token, _ = api_token_create(user=owner, name="x", ip=None)
    other = {
        "another applicant": lambda: UserFactory(),
        "scheme administrator": lambda: staff_member(Role.SCHEME_ADMIN),
        "superuser": lambda: UserFactory(is_staff=True, is_superuser=True),
    }[who]()
    with pytest.raises(NotPermitted):
        api_token_revoke(token=token, by=other, reason=TokenRevocation.BY_OWNER, ip=None)
    assert live(owner) == 1


def test_revoking_all_stops_every_live_token_with_the_reason():
    user, other = UserFactory(), UserFactory()
    tokens = [api_token_create(user=user, name=f"t{i}", ip=None)[0] for i in range(2)]
    expired, _ = api_token_create(user=user, name="old", ip=None)
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - dt.timedelta(days=1))
    api_token_create(user=other, name="theirs", ip=None)
    assert api_tokens_revoke_all(user=user, reason="compromised laptop") == 2
    assert live(user) == 0 and live(other) == 1
    for token in tokens:
        (row,) = [r for r in audit_rows(token) if r.transition == "api_tokens_revoke_all"]
        assert (row.comment, row.to_state, row.actor) == ("compromised laptop", "revoked", None)
    assert not [r for r in audit_rows(expired) if r.transition == "api_tokens_revoke_all"]
    assert api_tokens_revoke_all(user=user, reason="again") == 0


# --- revoked when the account's access changes ------------------------------------------


def revocations(user) -> list[str]:
    """The reasons audited for the user's tokens revoked all at once, oldest first."""
    rows = AuditEntry.objects.filter(
        transition="api_tokens_revoke_all",
        subject_id__in=[str(pk) for pk in ApiToken.objects.filter(user=user).values_list("pk", flat=True)],
    )
    return [row.comment for row in rows]


def test_a_new_password_revokes_every_token():
    user = UserFactory()
    api_token_create(user=user, name="x", ip=None)
    user.set_password(NEW_PASSWORD)
    user.save()
    assert live(user) == 0
    assert revocations(user) == [TokenRevocation.PASSWORD_CHANGED]


def test_the_same_password_saved_again_as_when_its_hash_is_upgraded_revokes_nothing():
    user = get_user_model().objects.get(pk=UserFactory().pk)
    api_token_create(user=user, name="x", ip=None)
    user.set_password(PASSWORD)  # a new salt, so a new hash: what an upgrade at sign-in saves
    user.save(update_fields=["password"])
    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])
    assert live(user) == 1


def test_an_unusable_password_revokes_every_token():
    user = UserFactory()
    api_token_create(user=user, name="x", ip=None)
    user.set_unusable_password()
    user.save()
    assert live(user) == 0


def test_changing_ones_password_on_the_site_revokes_every_token(client):
    user = UserFactory()
    api_token_create(user=user, name="x", ip=None)
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert live(user) == 0 and revocations(user) == [TokenRevocation.PASSWORD_CHANGED]


def test_a_password_reset_from_the_emailed_link_revokes_every_token(client, mailoutbox):
    user = UserFactory()
    api_token_create(user=user, name="x", ip=None)
    client.post(reverse("password_reset"), {"email": user.email})
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", mailoutbox[-1].body).group(1)
    form_page = client.get(link, follow=True)
    response = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert live(user) == 0 and revocations(user) == [TokenRevocation.PASSWORD_CHANGED]


@override_settings(SUBSIDY_STAFF_REQUIRE_2FA=False)
def test_a_password_set_by_an_administrator_in_the_admin_revokes_every_token(client):
    user = UserFactory()
    api_token_create(user=user, name="x", ip=None)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.post(
        reverse("admin:auth_user_password_change", args=[user.pk]),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302
    assert live(user) == 0 and revocations(user) == [TokenRevocation.PASSWORD_CHANGED]


def test_deactivation_revokes_every_token_and_reactivation_brings_none_back():
    user = UserFactory()
    api_token_create(user=user, name="x", ip=None)
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert live(user) == 0 and revocations(user) == [TokenRevocation.DEACTIVATED]
    user.is_active = True
    user.save()
    assert live(user) == 0


def test_a_two_factor_reset_revokes_every_token_in_the_administrators_name():
    reviewer = staff_member(Role.REVIEWER)
    admin = staff_member(Role.SCHEME_ADMIN)
    token, _ = api_token_create(user=reviewer, name="x", ip=None, second_factor=True)
    otp_devices_reset(user=reviewer, by=admin, reason="Phone stolen", ip="192.0.2.1")
    assert live(reviewer) == 0
    (row,) = [r for r in audit_rows(token) if r.transition == "api_tokens_revoke_all"]
    assert (row.comment, row.actor, row.ip_address) == (TokenRevocation.TWO_FACTOR_RESET, admin, "192.0.2.1")


# --- the old plain-text tokens ---------------------------------------------------------


def test_the_migration_drops_the_old_table_of_plain_text_tokens():
    migration = importlib.import_module("subsidy.migrations.0015_api_tokens")
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, user_id integer)")
        cursor.execute(migration.DROP_AUTHTOKEN)
        cursor.execute(migration.DROP_AUTHTOKEN)  # and again: nothing to drop, no error
    assert "authtoken_token" not in connection.introspection.table_names()
