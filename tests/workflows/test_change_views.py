"""The staff pages where two people verify a change of an applicant's identity or bank
details, and the applicant's side of it on the portal."""

import pytest
from django.test import Client
from django.urls import reverse

from subsidy.models import ApplicantChange, ApplicantChangeStatus, Role
from subsidy.services.applicants import applicant_update
from tests.factories import finance_staff, payable_application

pytestmark = pytest.mark.django_db

NEW_ACCOUNT = {"bank_account_number": "6217850000001234567"}


def held_change():
    claim = payable_application()
    owner = claim.applicant.access.get().user
    applicant_update(applicant=claim.applicant, by=owner, fields=NEW_ACCOUNT)
    return claim, ApplicantChange.objects.get()


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_two_people_verify_a_change_on_its_page_with_numbers_masked(django_assert_max_num_queries):
    claim, change = held_change()
    checker = signed_in(finance_staff(Role.FINANCE_OFFICER))
    listing = checker.get(reverse("staff:applicant_changes"))
    assert claim.applicant.name in listing.content.decode()

    page = checker.get(reverse("staff:applicant_change", args=[change.pk])).content.decode()
    assert "•••• 4567" in page and NEW_ACCOUNT["bank_account_number"] not in page
    assert 'value="check"' in page and 'value="confirm"' not in page

    url = reverse("staff:applicant_change", args=[change.pk])
    assert checker.post(url, {"action": "check", "comment": "Bank letter seen."}).status_code == 302
    # The checker is not offered the confirmation, and cannot force it.
    assert 'value="confirm"' not in checker.get(url).content.decode()
    assert checker.post(url, {"action": "confirm"}).status_code == 403

    confirmer = signed_in(finance_staff(Role.FINANCE_APPROVER))
    assert confirmer.post(url, {"action": "confirm", "comment": "Called back."}).status_code == 302
    change.refresh_from_db()
    claim.refresh_from_db()
    assert change.status == ApplicantChangeStatus.APPLIED
    assert claim.payee_account_number == NEW_ACCOUNT["bank_account_number"]


def test_refusing_needs_a_reason_shown_at_the_field():
    _claim, change = held_change()
    staff = signed_in(finance_staff(Role.FINANCE_OFFICER))
    url = reverse("staff:applicant_change", args=[change.pk])
    response = staff.post(url, {"action": "refuse", "comment": ""})
    assert response.status_code == 200
    assert "Say why the change is refused" in response.content.decode()
    change.refresh_from_db()
    assert change.status == ApplicantChangeStatus.PENDING


def test_the_applicant_is_told_the_change_waits_and_sees_it_on_the_profile():
    claim = payable_application()
    owner = claim.applicant.access.get().user
    client = signed_in(owner)
    url = reverse("portal:applicant_edit", args=[claim.applicant.pk])
    form = client.get(url).context["form"]
    data = {name: ("" if value is None else value) for name, value in form.initial.items() if name in form.fields}
    response = client.post(url, {**data, **NEW_ACCOUNT}, follow=True)
    assert "waits for verification by staff" in response.content.decode()
    assert "is waiting for verification by staff" in client.get(url).content.decode()
    claim.applicant.refresh_from_db()
    assert claim.applicant.bank_account_number != NEW_ACCOUNT["bank_account_number"]


def test_staff_are_refused_an_applicant_profile_on_the_portal():
    response = signed_in(finance_staff(Role.REVIEWER)).get(reverse("portal:applicant_create"))
    assert response.status_code == 403
