"""`manage.py enrolment_code`: how the first scheme administrator, whom no other
administrator can issue a code for, sets up two-step sign-in."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from subsidy.models import AuditEntry, EnrolmentCode, Role
from subsidy.services.auth import enrolment_code_check
from tests.factories import UserFactory, staff_member

pytestmark = pytest.mark.django_db


def test_the_command_issues_a_code_that_enrols_and_is_audited(settings, capsys):
    settings.SUBSIDY_STAFF_REQUIRE_2FA = True
    first = UserFactory(is_staff=True, is_superuser=True)
    TOTPDevice.objects.create(user=first, name="old phone", confirmed=True)
    call_command("enrolment_code", first.username, "--reason", "first administrator of the site")
    out = capsys.readouterr().out
    code = re.search(r"Enrolment code for .+: ([A-Z2-9]{5}-[A-Z2-9]{5}) \(valid until ", out)[1]
    assert "Removed 1 authenticator app(s)" in out
    assert not TOTPDevice.objects.filter(user=first).exists()
    assert EnrolmentCode.objects.get(user=first).issued_by is None
    entry = AuditEntry.objects.get(transition="otp_devices_reset")
    assert (entry.actor, entry.comment) == (None, "first administrator of the site")
    assert code.replace("-", "") not in str(entry.changes) + entry.comment
    enrolment_code_check(user=first, code=code)  # accepted


def test_the_command_refuses_unknown_accounts_applicants_and_no_reason():
    applicant = UserFactory()
    applicant.groups.add(Group.objects.get_or_create(name=Role.APPLICANT.value)[0])
    with pytest.raises(CommandError, match="No account"):
        call_command("enrolment_code", "nobody@example.org", "--reason", "x")
    with pytest.raises(CommandError, match="is not staff"):
        call_command("enrolment_code", applicant.username, "--reason", "x")
    with pytest.raises(CommandError, match="Give a reason"):
        call_command("enrolment_code", staff_member(Role.REVIEWER).username, "--reason", " ")
    assert not EnrolmentCode.objects.exists()
