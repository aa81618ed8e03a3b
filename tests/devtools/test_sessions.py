"""Sessions made on the server for benchmarks pass the same checks as real sign-ins."""

import pytest
from django.conf import settings
from django.urls import reverse

from devtools.sessions import signed_in_session
from subsidy.models import Role
from tests.factories import staff_member

pytestmark = pytest.mark.django_db
STAFF_PAGE = reverse("staff:application_list")


def test_a_verified_staff_session_opens_staff_pages_with_two_step_sign_in_required(client, settings):
    settings.SUBSIDY_STAFF_REQUIRE_2FA = True
    reviewer = staff_member(Role.REVIEWER)
    client.cookies[settings.SESSION_COOKIE_NAME] = signed_in_session(reviewer)
    assert client.get(STAFF_PAGE).status_code == 200
    assert client.get("/api/v1/applications/").status_code == 200


def test_an_unverified_staff_session_is_sent_to_the_second_factor(client, settings):
    settings.SUBSIDY_STAFF_REQUIRE_2FA = True
    reviewer = staff_member(Role.REVIEWER)
    client.cookies[settings.SESSION_COOKIE_NAME] = signed_in_session(reviewer, verified=False)
    assert client.get(STAFF_PAGE)["Location"].startswith(reverse("two_factor_setup"))


def test_the_session_names_its_device_as_django_otp_does(client):
    reviewer = staff_member(Role.REVIEWER)
    key = signed_in_session(reviewer)
    client.cookies[settings.SESSION_COOKIE_NAME] = key
    device = reviewer.totpdevice_set.get()
    assert client.session["otp_device_id"] == f"otp_totp.totpdevice/{device.pk}"
