"""Two-step sign-in for staff (django-otp TOTP, subsidy/portal/two_factor.py and
subsidy.security.StaffTwoFactorMiddleware), with real codes from django_otp.oath.totp."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from subsidy.models import Role
from subsidy.models.audit import AuditEntry
from subsidy.services.auth import otp_devices_reset
from tests.factories import UserFactory, staff_member
from tests.subsidy.api.conftest import api_client

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"  # UserFactory's
SETUP = reverse("two_factor_setup")
VERIFY = reverse("two_factor_verify")
STAFF_PAGE = reverse("staff:application_list")


@pytest.fixture
def required(settings):
    settings.SUBSIDY_STAFF_REQUIRE_2FA = True


def code(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code the person's app shows now (or that many 30-second steps later)."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=steps_ahead):06d}"


def sign_in(client, user):
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return response


def test_staff_without_a_device_are_sent_to_set_one_up_and_confirm_it_with_a_code(client, required):
    reviewer = staff_member(Role.REVIEWER)
    enrolment_code = otp_devices_reset(user=reviewer, by=None, reason="new colleague", ip=None).enrolment_code
    sign_in(client, reviewer)
    response = client.get(STAFF_PAGE)
    assert response.status_code == 302
    assert response["Location"] == f"{SETUP}?next={quote(STAFF_PAGE, safe='')}"

    page = client.get(response["Location"])
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=reviewer)
    assert device.confirmed is False
    body = page.content.decode()
    assert 'src="data:image/svg+xml' in body  # the QR code
    key = page.context["manual_key"].replace(" ", "")
    assert len(key) == 32 and device.config_url.split("secret=")[1].startswith(key)

    wrong_code = f"{(int(code(device)) + 1) % 1_000_000:06d}"
    wrong = client.post(SETUP, {"enrolment_code": enrolment_code, "code": wrong_code, "next": STAFF_PAGE})
    assert wrong.status_code == 200
    assert "This code is not right or has expired" in wrong.content.decode()
    assert client.get(STAFF_PAGE).status_code == 302

    device.refresh_from_db()
    throttled = client.post(SETUP, {"enrolment_code": enrolment_code, "code": code(device), "next": STAFF_PAGE})
    assert "Too many wrong codes" in throttled.content.decode()  # each wrong code doubles the wait
    device.throttle_reset()  # as if the wait were over
    done = client.post(SETUP, {"enrolment_code": enrolment_code, "code": code(device), "next": STAFF_PAGE})
    assert done.status_code == 302 and done["Location"] == STAFF_PAGE
    device.refresh_from_db()
    assert device.confirmed is True
    audit = AuditEntry.objects.for_object(device).get()
    assert (audit.actor, audit.transition, audit.to_state) == (reviewer, "otp_device_confirm", "confirmed")
    assert device.key not in str(audit.changes) + audit.comment
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id == f"otp_totp.totpdevice/{device.pk}"
    assert client.get(STAFF_PAGE).status_code == 200


def test_staff_with_a_device_give_a_code_after_every_password_sign_in(client, required):
    approver = staff_member(Role.APPROVER)
    device = TOTPDevice.objects.create(user=approver, name="phone", confirmed=True)
    sign_in(client, approver)
    response = client.get(STAFF_PAGE)
    assert response["Location"] == f"{VERIFY}?next={quote(STAFF_PAGE, safe='')}"
    assert client.get(SETUP)["Location"].startswith(VERIFY)  # no second device behind their back

    wrong = f"{(int(code(device, steps_ahead=1)) + 1) % 1_000_000:06d}"
    assert client.post(VERIFY, {"code": wrong, "next": STAFF_PAGE}).status_code == 200
    assert DEVICE_ID_SESSION_KEY not in client.session
    session_before = client.session.session_key
    device.refresh_from_db()
    device.throttle_reset()
    response = client.post(VERIFY, {"code": code(device, steps_ahead=1), "next": STAFF_PAGE})
    assert response.status_code == 302 and response["Location"] == STAFF_PAGE
    assert client.session.session_key != session_before  # a new key once verified
    assert client.get(STAFF_PAGE).status_code == 200
    # A code is good once.
    client.logout()
    sign_in(client, approver)
    assert client.post(VERIFY, {"code": code(device, steps_ahead=1)}).status_code == 200
    assert client.get(STAFF_PAGE).status_code == 302


def test_the_api_refuses_an_unverified_staff_session(client, required):
    finance = staff_member(Role.FINANCE_OFFICER)
    device = TOTPDevice.objects.create(user=finance, name="phone", confirmed=True)
    client.force_login(finance)
    response = client.get("/api/v1/applications/")
    assert response.status_code == 403
    assert "authenticator app" in response.json()["detail"]
    client.post(VERIFY, {"code": code(device)})
    assert client.get("/api/v1/applications/").status_code == 200


def test_a_token_for_staff_needs_a_code_too(required):
    auditor = staff_member(Role.AUDITOR)
    device = TOTPDevice.objects.create(user=auditor, name="phone", confirmed=True)
    client = api_client()
    refused = client.post("/api/v1/auth/token/", {"username": auditor.username, "password": PASSWORD})
    assert refused.status_code == 400
    assert list(refused.json()) == ["otp_token"]
    granted = client.post(
        "/api/v1/auth/token/", {"username": auditor.username, "password": PASSWORD, "otp_token": code(device)}
    )
    assert granted.status_code == 200 and granted.json()["token"]


def test_applicants_are_not_asked_for_a_code(client, required):
    applicant = UserFactory()
    sign_in(client, applicant)
    assert client.get(reverse("portal:application_list")).status_code == 200
    assert client.get(SETUP)["Location"] == reverse("home")
    token = api_client().post("/api/v1/auth/token/", {"username": applicant.username, "password": PASSWORD})
    assert token.status_code == 200


def test_administrators_are_asked_too_and_may_always_sign_out(client, required):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    assert client.get("/admin/")["Location"].startswith(SETUP)
    assert client.post(reverse("logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_a_foreign_next_address_is_ignored(client, required):
    reviewer = staff_member(Role.REVIEWER)
    device = TOTPDevice.objects.create(user=reviewer, name="phone", confirmed=True)
    client.force_login(reviewer)
    response = client.post(VERIFY, {"code": code(device), "next": "https://elsewhere.example/"})
    assert response["Location"] == reverse("staff:inbox")


def test_off_by_default_locally(client, settings):
    assert settings.SUBSIDY_STAFF_REQUIRE_2FA is False
    client.force_login(staff_member(Role.REVIEWER))
    assert client.get(STAFF_PAGE).status_code == 200
