"""The Django admin shows applicants as every staff page does (numbers masked) and
changes nothing about them: where the money goes changes only through audited services."""

from __future__ import annotations

import pytest
from django.urls import reverse

from subsidy.models import Applicant
from subsidy.personal_data import mask_account, mask_id_number
from tests.factories import IndividualApplicantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def applicant():
    return IndividualApplicantFactory()


def test_applicant_page_masks_the_id_and_account_numbers(admin_client, applicant):
    page = admin_client.get(reverse("admin:subsidy_applicant_change", args=[applicant.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert applicant.id_number not in html
    assert applicant.bank_account_number not in html
    assert mask_id_number(applicant.id_number) in html
    assert mask_account(applicant.bank_account_number) in html
    assert applicant.name in html
    assert 'name="bank_account_number"' not in html  # no form field to change it


def test_applicant_list_shows_no_full_numbers(admin_client, applicant):
    html = admin_client.get(reverse("admin:subsidy_applicant_changelist")).content.decode()
    assert applicant.name in html
    assert applicant.id_number not in html
    assert applicant.bank_account_number not in html


def test_an_edit_through_the_admin_is_refused_and_changes_nothing(admin_client, applicant):
    url = reverse("admin:subsidy_applicant_change", args=[applicant.pk])
    before = applicant.bank_account_number
    response = admin_client.post(
        url,
        {
            "bank_account_number": "6222020200112233445",
            "name": applicant.name,
            "applicantaccess_set-TOTAL_FORMS": "0",
            "applicantaccess_set-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 403
    assert Applicant.objects.get(pk=applicant.pk).bank_account_number == before


def test_no_applicant_is_added_or_deleted_through_the_admin(admin_client, applicant):
    assert admin_client.get(reverse("admin:subsidy_applicant_add")).status_code == 403
    delete = reverse("admin:subsidy_applicant_delete", args=[applicant.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert Applicant.objects.filter(pk=applicant.pk).exists()
