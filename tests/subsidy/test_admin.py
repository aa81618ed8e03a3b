"""The Django admin shows applicants as every staff page does (numbers masked) and
changes nothing about them: where the money goes changes only through audited services.
What it does change (rounds, exchange rates) is audited with the values before and after."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.forms import MultiWidget
from django.urls import reverse

from subsidy.models import Applicant, AuditEntry, ExchangeRate, FundingRound, Role
from subsidy.personal_data import mask_account, mask_id_number
from tests.factories import FundingRoundFactory, IndividualApplicantFactory, staff_member

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


def form_data(admin_client, url):
    """What the admin's change form sends back unchanged: its fields' current values."""
    form = admin_client.get(url).context["adminform"].form
    data = {}
    for bound in form:
        value = bound.value()  # as the widget shows it
        if value is None or value is False:
            continue  # an empty field, an unticked box
        if isinstance(bound.field.widget, MultiWidget):  # a date and a time
            for index, part in enumerate(bound.field.widget.decompress(value)):
                data[f"{bound.html_name}_{index}"] = part
        else:
            data[bound.html_name] = value
    return data


def test_a_change_to_a_round_is_audited_with_the_values_before_and_after(admin_client):
    funding_round = FundingRoundFactory(reimbursement_rate=Decimal("0.5000"))
    url = reverse("admin:subsidy_fundinground_change", args=[funding_round.pk])
    data = form_data(admin_client, url) | {"reimbursement_rate": "0.4"}
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    funding_round.refresh_from_db()
    assert funding_round.reimbursement_rate == Decimal("0.4")
    entry = AuditEntry.objects.for_object(funding_round).get()
    assert entry.transition == "admin_change"
    assert entry.actor.is_superuser
    assert entry.changes == {"reimbursement_rate": ["0.5000", "0.4000"]}


def test_a_budget_below_what_approvals_reserved_is_refused_on_the_field(admin_client):
    funding_round = FundingRoundFactory(budget=Decimal("100000.00"))
    FundingRound.objects.filter(pk=funding_round.pk).update(reserved_amount=Decimal("60000.00"))
    url = reverse("admin:subsidy_fundinground_change", args=[funding_round.pk])
    response = admin_client.post(url, form_data(admin_client, url) | {"budget": "50000"})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["budget"] == [
        "The budget cannot be lower than the 60,000.00 CNY that approvals have already reserved."
    ]
    funding_round.refresh_from_db()
    assert funding_round.budget == Decimal("100000.00")
    assert not AuditEntry.objects.for_object(funding_round).exists()


def test_exchange_rates_added_and_deleted_in_the_admin_are_audited(admin_client):
    add = reverse("admin:subsidy_exchangerate_add")
    data = {"currency": "HKD", "on_date": "2026-11-02", "rate_to_cny": "0.9123", "source": "PBOC central parity"}
    assert admin_client.post(add, data).status_code == 302
    rate = ExchangeRate.objects.get(currency="HKD", on_date="2026-11-02")
    created = AuditEntry.objects.for_object(rate).get()
    assert created.transition == "admin_create"
    assert created.changes["rate_to_cny"] == [None, "0.912300"]

    delete = reverse("admin:subsidy_exchangerate_delete", args=[rate.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 302
    assert not ExchangeRate.objects.filter(pk=rate.pk).exists()
    deleted = AuditEntry.objects.get(transition="admin_delete")
    assert deleted.subject_id == str(rate.pk)
    assert deleted.changes["currency"] == ["HKD", None]


def test_a_role_given_in_the_admin_is_audited_with_roles_before_and_after(admin_client):
    reviewer = staff_member(Role.REVIEWER)
    url = reverse("admin:auth_user_change", args=[reviewer.pk])
    data = form_data(admin_client, url)
    approver = Group.objects.get_or_create(name=Role.APPROVER.value)[0]
    data["groups"] = [*data["groups"], approver.pk]
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert set(reviewer.groups.values_list("name", flat=True)) == {"reviewer", "approver"}
    entry = AuditEntry.objects.for_object(reviewer).get()
    assert entry.transition == "account_change"
    assert entry.actor.is_superuser
    assert entry.changes == {"roles": [["reviewer"], ["approver", "reviewer"]]}


def test_a_password_set_in_the_admin_is_audited_as_changed_never_as_a_hash(admin_client):
    reviewer = staff_member(Role.REVIEWER)
    url = reverse("admin:auth_user_password_change", args=[reviewer.pk])
    new_password = "a-new-long-passphrase-2026"
    response = admin_client.post(url, {"password1": new_password, "password2": new_password})
    assert response.status_code == 302
    reviewer.refresh_from_db()
    assert reviewer.check_password(new_password)
    entry = AuditEntry.objects.for_object(reviewer).get()
    assert (entry.transition, entry.changes) == ("account_change", {"password": "changed"})


def test_an_account_created_in_the_admin_is_audited_and_none_is_deleted(admin_client):
    add = reverse("admin:auth_user_add")
    new_password = "a-new-long-passphrase-2026"
    data = {"username": "new@office.example", "password1": new_password, "password2": new_password}
    response = admin_client.post(add, data | {"usable_password": "true"})
    assert response.status_code == 302
    account = get_user_model().objects.get(username="new@office.example")
    entry = AuditEntry.objects.for_object(account).get()
    assert entry.transition == "account_create"
    assert entry.changes["username"] == [None, "new@office.example"]
    assert entry.changes["password"] == "changed"
    assert account.password not in str(entry.changes)
    delete = reverse("admin:auth_user_delete", args=[account.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403


def test_saving_a_round_never_writes_back_a_reservation_read_before_an_approval(admin_client):
    """Approvals move reserved_amount while the form is open: the admin's save keeps theirs."""
    funding_round = FundingRoundFactory(budget=Decimal("100000.00"))
    url = reverse("admin:subsidy_fundinground_change", args=[funding_round.pk])
    data = form_data(admin_client, url)  # the form is read...
    FundingRound.objects.filter(pk=funding_round.pk).update(reserved_amount=Decimal("4000.00"))  # ...an approval...
    assert admin_client.post(url, data | {"name": "Renamed round"}).status_code == 302  # ...then saved
    funding_round.refresh_from_db()
    assert (funding_round.name, funding_round.reserved_amount) == ("Renamed round", Decimal("4000.00"))


# --------------------------------------------------------------------------
# Schemes: made by scheme administrators in the admin, audited, never deleted.
# --------------------------------------------------------------------------

TOP_UP = {
    "code": "sz-hk-top-up",
    "name": "深圳市香港标准专利资助",
    "name_en": "Shenzhen top-up for Hong Kong standard patents",
    "legal_basis": "深市监规（示例）",
    "reference_prefix": "SZHK",
    "offices": ["HK"],
    "rule_set": "hk_standard_patent",
    "amount_method": "cost_share",
    "required_documents": ["grant_certificate", "fee_receipt"],
    "ceiling_share": "0.5",
}


@pytest.fixture
def scheme_admin(client):
    """A scheme administrator (role and admin flag), not a superuser."""
    person = staff_member(Role.SCHEME_ADMIN)
    person.is_staff = True
    person.save(update_fields=["is_staff"])
    client.force_login(person)
    return client


def test_a_scheme_administrator_adds_a_scheme_in_the_admin_and_it_is_audited(scheme_admin):
    from subsidy.models import Scheme

    response = scheme_admin.post(reverse("admin:subsidy_scheme_add"), TOP_UP)
    assert response.status_code == 302, response.context["adminform"].form.errors
    scheme = Scheme.objects.get(code="sz-hk-top-up")
    assert (scheme.reference_prefix, scheme.ceiling_share) == ("SZHK", Decimal("0.5000"))
    entry = AuditEntry.objects.for_object(scheme).get()
    assert entry.transition == "admin_create" and not entry.actor.is_superuser
    assert scheme_admin.get(reverse("admin:subsidy_scheme_delete", args=[scheme.pk])).status_code == 403


def test_a_scheme_whose_pieces_do_not_fit_is_refused_on_its_fields_in_the_admin(scheme_admin):
    from subsidy.models import Scheme

    response = scheme_admin.post(
        reverse("admin:subsidy_scheme_add"), TOP_UP | {"offices": ["US"], "rule_set": "nothing"}
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "rule_set" in errors  # not among the registry's names
    assert not Scheme.objects.filter(code="sz-hk-top-up").exists()
    response = scheme_admin.post(reverse("admin:subsidy_scheme_add"), TOP_UP | {"offices": ["US"]})
    assert "offices" in response.context["adminform"].form.errors  # the HK rules check HK patents only


def test_a_round_of_a_scheme_is_added_in_the_admin_by_a_scheme_administrator(scheme_admin):
    from subsidy.models.schemes import hk_standard_patent_scheme

    scheme = hk_standard_patent_scheme()
    form = scheme_admin.get(reverse("admin:subsidy_fundinground_add")).context["adminform"].form
    data = {name: field.initial for name, field in form.fields.items() if field.initial is not None}
    data |= {
        "scheme": scheme.pk,
        "name": "2027 年度香港标准专利资助",
        "name_en": "2027 HK standard patents",
        "code": "hk-2027",
        "budget": "1000000.00",
        "opens_on": "2027-01-01",
        "closes_on": "2027-12-31",
        "grant_date_from": "2026-01-01",
        "grant_date_to": "2027-12-31",
        "eligible_cost_types": '["official_fee", "agency_fee"]',
        "amounts_by_office": "{}",
    }
    data = {name: value() if callable(value) else value for name, value in data.items()}
    response = scheme_admin.post(reverse("admin:subsidy_fundinground_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    created = scheme.rounds.get(code="hk-2027")
    assert AuditEntry.objects.for_object(created).get().transition == "admin_create"


def test_staff_without_the_role_do_not_edit_schemes(client):
    person = staff_member(Role.REVIEWER)
    person.is_staff = True
    person.save(update_fields=["is_staff"])
    client.force_login(person)
    assert client.get(reverse("admin:subsidy_scheme_add")).status_code == 403
