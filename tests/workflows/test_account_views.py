"""Staff accounts (workflows/account_views.py) and the enrolment code a scheme
administrator issues for a new colleague or for someone who lost their authenticator app
(subsidy.services.auth.otp_devices_reset), end to end with real TOTP codes."""

from __future__ import annotations

import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from devtools.sessions import signed_in_session
from subsidy.exceptions import NotPermitted
from subsidy.models import EnrolmentCode, Role
from subsidy.models.audit import AuditEntry
from subsidy.services.auth import enrolment_code_check, enrolment_code_required, otp_devices_reset
from tests.factories import UserFactory, staff_member
from tests.subsidy.portal.test_two_factor import code, sign_in

pytestmark = pytest.mark.django_db
ACCOUNTS = reverse("staff:accounts")


def enrolled(user):
    TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    return user


def next_window(device) -> None:
    """As 30 seconds later: the app's code used last may not be used again."""
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)


def reset_url(user) -> str:
    return reverse("staff:two_factor_reset", args=[user.pk])


def test_the_page_lists_staff_with_their_roles_and_whether_an_app_is_set_up(client, django_assert_num_queries):
    admin = staff_member(Role.SCHEME_ADMIN)
    reviewer = enrolled(staff_member(Role.REVIEWER))
    both = staff_member(Role.APPROVER)
    both.groups.add(*staff_member(Role.FINANCE_OFFICER).groups.all())
    applicant = UserFactory()
    for n in range(30):
        enrolled(staff_member(Role.REVIEWER if n % 2 else Role.AUDITOR))
    client.force_login(admin)
    client.get(ACCOUNTS)
    # Session, user, roles; the count, the page and the rows' groups: whatever the number of staff.
    with django_assert_num_queries(6):
        response = client.get(ACCOUNTS)
    body = response.content.decode()
    assert "34 staff members" in body
    assert applicant.email not in body
    row = body.split(both.email)[1].split("</tr>")[0]
    assert "Approver, Finance officer" in row and "not set up" in row
    reviewer_row = body.split(reviewer.email)[1].split("</tr>")[0]
    assert ">set up<" in reviewer_row and reset_url(reviewer) in reviewer_row
    # Where no app is set up, a code for a first one; never one's own.
    assert f'href="{reset_url(both)}">Issue an enrolment code' in row
    assert reset_url(admin) not in body
    assert f'href="{ACCOUNTS}"' in body  # in the staff menu


def test_auditors_see_the_page_without_the_reset_and_other_staff_not_at_all(client):
    reviewer = enrolled(staff_member(Role.REVIEWER))
    client.force_login(staff_member(Role.AUDITOR))
    body = client.get(ACCOUNTS).content.decode()
    assert reviewer.email in body and reset_url(reviewer) not in body
    assert client.get(reset_url(reviewer)).status_code == 403
    assert client.post(reset_url(reviewer), {"reason": "lost phone"}).status_code == 403
    client.force_login(staff_member(Role.FINANCE_OFFICER))
    response = client.get(reverse("staff:application_list"))
    assert f'href="{ACCOUNTS}"' not in response.content.decode()
    assert client.get(ACCOUNTS).status_code == 403
    assert TOTPDevice.objects.filter(user=reviewer).exists()


def test_a_reset_needs_a_reason_and_then_the_person_enrols_a_new_app(client, settings):
    settings.SUBSIDY_STAFF_REQUIRE_2FA = True
    admin = enrolled(staff_member(Role.SCHEME_ADMIN))
    reviewer = enrolled(staff_member(Role.REVIEWER))
    client.force_login(admin)
    session = client.session
    session["otp_device_id"] = TOTPDevice.objects.get(user=admin).persistent_id
    session.save()

    page = client.get(reset_url(reviewer))
    assert page.status_code == 200 and reviewer.email in page.content.decode()
    empty = client.post(reset_url(reviewer), {"reason": "  "})
    assert empty.status_code == 200
    assert "This field is required." in empty.content.decode()
    assert TOTPDevice.objects.filter(user=reviewer).exists()

    phone_thief = Client()
    phone_thief.cookies[settings.SESSION_COOKIE_NAME] = signed_in_session(reviewer)
    assert phone_thief.get(reverse("staff:inbox")).status_code == 200
    done = client.post(reset_url(reviewer), {"reason": "Phone lost; called back on the office number."})
    assert done.status_code == 200 and done["Cache-Control"] == "private, no-store"
    enrolment_code = re.search(r'<code class="secret-key">([A-Z2-9]{5}-[A-Z2-9]{5})</code>', done.content.decode())[1]
    assert not TOTPDevice.objects.filter(user=reviewer).exists()
    # Signed out everywhere; the administrator stays signed in.
    assert phone_thief.get(reverse("staff:inbox"))["Location"].startswith(reverse("login"))
    assert client.get(ACCOUNTS).status_code == 200
    entry = AuditEntry.objects.get(
        subject_type=ContentType.objects.get_for_model(reviewer), subject_id=str(reviewer.pk)
    )
    assert (entry.transition, entry.actor, entry.from_state, entry.to_state) == (
        "otp_devices_reset",
        admin,
        "enrolled",
        "not_enrolled",
    )
    assert entry.comment == "Phone lost; called back on the office number."
    assert enrolment_code.replace("-", "") not in str(entry.changes)

    # The reviewer's next sign-in: the password, then a new app, which needs the enrolment code.
    client.logout()
    sign_in(client, reviewer)
    response = client.get(reverse("staff:inbox"))
    assert response["Location"].startswith(reverse("two_factor_setup"))
    assert 'name="enrolment_code"' in client.get(response["Location"]).content.decode()
    device = TOTPDevice.objects.get(user=reviewer, confirmed=False)
    without = client.post(reverse("two_factor_setup"), {"code": code(device)})
    assert without.status_code == 200 and "This field is required." in without.content.decode()
    next_window(device)
    wrong = client.post(reverse("two_factor_setup"), {"enrolment_code": "AAAAA-AAAAA", "code": code(device)})
    assert "This is not the enrolment code you were given." in wrong.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    next_window(device)
    typed_loosely = f" {enrolment_code.lower()} "
    done = client.post(reverse("two_factor_setup"), {"enrolment_code": typed_loosely, "code": code(device)})
    assert done.status_code == 302
    assert client.get(reverse("staff:inbox")).status_code == 200
    assert not EnrolmentCode.objects.filter(user=reviewer).exists()


def test_only_another_scheme_administrator_may_reset():
    admin = enrolled(staff_member(Role.SCHEME_ADMIN))
    reviewer = enrolled(staff_member(Role.REVIEWER))
    for role in (Role.REVIEWER, Role.APPROVER, Role.AUDITOR, Role.FINANCE_APPROVER):
        with pytest.raises(NotPermitted):
            otp_devices_reset(user=reviewer, by=staff_member(role), reason="lost phone", ip=None)
    with pytest.raises(NotPermitted, match="another scheme administrator"):
        otp_devices_reset(user=admin, by=admin, reason="lost phone", ip=None)
    with pytest.raises(ValidationError):
        otp_devices_reset(user=reviewer, by=admin, reason=" ", ip=None)
    assert TOTPDevice.objects.count() == 2
    assert not AuditEntry.objects.filter(transition="otp_devices_reset").exists()
    reset = otp_devices_reset(user=reviewer, by=staff_member(Role.SCHEME_ADMIN), reason="lost phone", ip=None)
    assert reset.devices_removed == 1


def test_an_administrator_cannot_reset_their_own_through_the_page(client):
    admin = enrolled(staff_member(Role.SCHEME_ADMIN))
    client.force_login(admin)
    assert client.post(reset_url(admin), {"reason": "lost phone"}).status_code == 403
    assert TOTPDevice.objects.filter(user=admin).exists()


def test_only_staff_accounts_can_be_reset(client):
    client.force_login(staff_member(Role.SCHEME_ADMIN))
    assert client.get(reset_url(enrolled(UserFactory()))).status_code == 404


def test_an_enrolment_code_expires_and_gives_out_after_too_many_wrong_tries(settings):
    settings.SUBSIDY_ENROLMENT_CODE_ATTEMPTS = 3
    admin = staff_member(Role.SCHEME_ADMIN)
    reviewer = enrolled(staff_member(Role.REVIEWER))
    reset = otp_devices_reset(user=reviewer, by=admin, reason="lost phone", ip=None)
    for _ in range(3):
        with pytest.raises(ValidationError, match="not the enrolment code"):
            enrolment_code_check(user=reviewer, code="AAAAA-AAAAA")
    # Wrong tries count even though each was refused; then the right code no longer works.
    assert EnrolmentCode.objects.get(user=reviewer).failed_attempts == 3
    with pytest.raises(ValidationError, match="expired or was entered wrongly too often"):
        enrolment_code_check(user=reviewer, code=reset.enrolment_code)
    # A new reset issues a new code; an expired one is refused too.
    reset = otp_devices_reset(user=reviewer, by=admin, reason="lost phone again", ip=None)
    enrolment_code_check(user=reviewer, code=reset.enrolment_code)
    EnrolmentCode.objects.filter(user=reviewer).update(expires_at=timezone.now())
    with pytest.raises(ValidationError, match="expired"):
        enrolment_code_check(user=reviewer, code=reset.enrolment_code)


def test_where_two_step_sign_in_is_optional_a_first_enrolment_needs_no_code(settings):
    settings.SUBSIDY_STAFF_REQUIRE_2FA = False
    newcomer = staff_member(Role.REVIEWER)
    enrolment_code_check(user=newcomer, code="")  # nothing pending: let through
    assert not enrolment_code_required(newcomer)


def test_where_it_is_required_a_new_colleague_enrols_only_with_an_issued_code(client, settings):
    """Whoever learns a new account's first password must not be the one to enrol a phone."""
    settings.SUBSIDY_STAFF_REQUIRE_2FA = True
    admin = enrolled(staff_member(Role.SCHEME_ADMIN))
    newcomer = staff_member(Role.APPROVER)
    assert enrolment_code_required(newcomer)
    with pytest.raises(ValidationError, match="No enrolment code has been issued to you yet"):
        enrolment_code_check(user=newcomer, code="")

    sign_in(client, newcomer)
    setup = client.get(reverse("two_factor_setup"))
    assert 'name="enrolment_code"' in setup.content.decode()
    assert "You also need an enrolment code" in setup.content.decode()
    device = TOTPDevice.objects.get(user=newcomer, confirmed=False)
    refused = client.post(reverse("two_factor_setup"), {"enrolment_code": "AAAAA-AAAAA", "code": code(device)})
    assert "No enrolment code has been issued to you yet" in refused.content.decode()
    assert not TOTPDevice.objects.filter(user=newcomer, confirmed=True).exists()

    # The administrator finds them on the staff accounts page and issues a code.
    office = Client()
    office.force_login(admin)
    session = office.session
    session["otp_device_id"] = TOTPDevice.objects.get(user=admin).persistent_id
    session.save()
    listing = office.get(ACCOUNTS).content.decode()
    assert f'href="{reset_url(newcomer)}">Issue an enrolment code' in listing
    assert "They have no authenticator app set up here yet." in office.get(reset_url(newcomer)).content.decode()
    issued = office.post(reset_url(newcomer), {"reason": "New colleague; called on the office number."})
    body = issued.content.decode()
    assert "Enrolment code issued" in body and "no longer works here" not in body
    enrolment_code = re.search(r'<code class="secret-key">([A-Z2-9]{5}-[A-Z2-9]{5})</code>', body)[1]
    entry = AuditEntry.objects.get(transition="otp_devices_reset")
    assert (entry.actor, entry.from_state, entry.to_state) == (admin, "not_enrolled", "not_enrolled")

    sign_in(client, newcomer)  # the issue signed them out
    client.get(reverse("two_factor_setup"))
    device = TOTPDevice.objects.get(user=newcomer, confirmed=False)
    done = client.post(reverse("two_factor_setup"), {"enrolment_code": enrolment_code, "code": code(device)})
    assert done.status_code == 302
    assert TOTPDevice.objects.get(user=newcomer).confirmed
    assert client.get(reverse("staff:inbox")).status_code == 200
