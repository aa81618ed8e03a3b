"""Staff land on their own work: each role's home shows what waits for it, counted in a
few queries, and the menu offers only pages the person may use."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from subsidy.models import ApplicantChange, BatchStatus, Role
from subsidy.services import batches
from subsidy.services.applicant_changes import applicant_change_check
from subsidy.services.applicants import applicant_update
from subsidy.services.identity_claims import identity_claim_submit
from tests.factories import (
    UserFactory,
    awaiting_decision,
    finance_staff,
    payable_application,
    pdf_upload,
    staff_member,
    submitted_application,
)
from tests.workflows.test_flow import the_open_task
from workflows.services import task_take

pytestmark = pytest.mark.django_db

HOME = reverse("staff:home")
STAFF_ROLES = [
    Role.REVIEWER,
    Role.APPROVER,
    Role.FINANCE_OFFICER,
    Role.FINANCE_APPROVER,
    Role.SCHEME_ADMIN,
    Role.AUDITOR,
]


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def nav_links(page):
    """The staff menu's addresses (the main navigation, before <main>)."""
    nav = page[page.index('<nav aria-label="Main">') : page.index("</nav>")]
    return set(re.findall(r'href="(/(?:staff|admin)/[^"]*)"', nav))


def text(response):
    return re.sub(r"\s+", " ", response.content.decode())


def held_change():
    """A change of bank details an applicant made, waiting for a first check."""
    claim = payable_application()
    applicant_update(
        applicant=claim.applicant,
        by=claim.applicant.access.get().user,
        fields={"bank_account_number": "6217850000001234567"},
    )
    return ApplicantChange.objects.get(applicant=claim.applicant)


def test_signing_in_staff_land_on_their_home_and_applicants_on_their_claims(client):
    client.force_login(staff_member(Role.FINANCE_APPROVER))
    assert client.get(reverse("home")).url == HOME
    client.force_login(UserFactory(role=Role.APPLICANT))
    assert client.get(reverse("home")).url == reverse("portal:application_list")
    assert client.get(HOME).status_code == 403


def test_a_reviewer_sees_their_reviews_and_the_queue(django_assert_num_queries):
    reviewer = staff_member(Role.REVIEWER)
    taken, _waiting = submitted_application(), submitted_application()
    task_take(task=the_open_task(taken), by=reviewer)
    held_change()
    client = signed_in(reviewer)
    # session, user, roles; the inbox by node, the queue by node, changes to verify
    with django_assert_num_queries(6):
        response = client.get(HOME)
    page = text(response)
    assert "1 review in your inbox" in page and "1 claim waiting for a reviewer" in page
    assert "1 change of applicant details waiting for a first check" in page
    assert "waiting for your confirmation" not in page  # reviewers check; others confirm
    links = nav_links(page)
    assert {reverse("staff:inbox"), reverse("staff:queue"), reverse("staff:flow_chart")} <= links
    for hidden in ("batch_list", "budget", "reports", "accounts", "letter_problems", "identity_claims"):
        assert reverse(f"staff:{hidden}") not in links
    assert "/admin/" not in page


def test_an_approver_sees_the_decisions_waiting(django_assert_num_queries):
    approver = staff_member(Role.APPROVER)
    mine, _other = awaiting_decision()[0], awaiting_decision()[0]
    task_take(task=the_open_task(mine), by=approver)
    change = held_change()
    applicant_change_check(change=change, by=finance_staff(Role.FINANCE_OFFICER))
    identity_claim_submit(by=UserFactory(), number=mine.applicant.uscc, evidence=pdf_upload())
    client = signed_in(approver)
    # session, user, roles; inbox, queue, changes, identity claims
    with django_assert_num_queries(7):
        response = client.get(HOME)
    page = text(response)
    assert "1 decision in your inbox" in page and "1 claim waiting for a decision" in page
    assert "1 checked change waiting for your confirmation" in page
    assert "1 identity claim waiting for a decision" in page
    assert "review in your inbox" not in page  # not a reviewer
    assert {reverse("staff:letter_problems"), reverse("staff:identity_claims")} <= nav_links(page)
    assert reverse("staff:batch_list") not in nav_links(page)


def test_a_finance_officer_sees_what_to_batch_export_and_reconcile(django_assert_num_queries):
    officer = finance_staff(Role.FINANCE_OFFICER)
    payable_application()
    batches.batch_create(by=officer)  # a draft to submit
    payable_application()  # ready for the next batch
    client = signed_in(officer)
    # session, user, roles; batches by status, claims ready for a batch, changes to verify
    with django_assert_num_queries(6):
        response = client.get(HOME)
    page = text(response)
    assert "1 approved claim ready for a new batch" in page
    assert "1 draft batch to submit for release" in page
    assert "0 released batches to export to the bank" in page
    assert "0 exported batches to reconcile" in page
    assert "wait for your release" not in page and "waits for your release" not in page
    links = nav_links(page)
    assert {reverse("staff:batch_list"), reverse("staff:budget"), reverse("staff:applicant_changes")} <= links
    for hidden in ("inbox", "queue", "flow_chart", "letter_problems", "reports", "accounts", "identity_claims"):
        assert reverse(f"staff:{hidden}") not in links


def test_the_finance_approver_is_told_a_batch_waits_for_release(django_assert_num_queries):
    officer = finance_staff(Role.FINANCE_OFFICER)
    payable_application()
    waiting = batches.batch_submit(batch=batches.batch_create(by=officer), by=officer)
    # Someone holding both roles who submitted a batch may not release it themselves.
    both = finance_staff(Role.FINANCE_OFFICER, Role.FINANCE_APPROVER)
    payable_application()
    own = batches.batch_submit(batch=batches.batch_create(by=both), by=both)

    client = signed_in(finance_staff(Role.FINANCE_APPROVER))
    # session, user, roles; batches by status, the batches awaiting release, changes to verify
    with django_assert_num_queries(6):
        response = client.get(HOME)
    page = text(response)
    assert "2 batches wait for your release." in page
    assert f'href="{reverse("staff:batch_detail", args=[waiting.pk])}"' in page
    assert "Payments" not in page  # an approver does not build batches

    page = text(signed_in(both).get(HOME))
    assert "1 batch waits for your release." in page
    own_line = re.search(rf"<li><a [^>]*>{own.reference}</a>.*?</li>", page).group(0)
    assert "another finance approver releases it" in own_line
    assert waiting.status == BatchStatus.SUBMITTED


def test_an_auditor_lands_on_the_reports_and_what_they_read(django_assert_num_queries):
    client = signed_in(staff_member(Role.AUDITOR))
    with django_assert_num_queries(3):  # session, user, roles: no counts
        response = client.get(HOME)
    page = text(response)
    assert f'<a href="{reverse("staff:reports")}" id="work-reports">' in page
    assert "in your inbox" not in page and "waiting for" not in page
    links = nav_links(page)
    assert reverse("staff:inbox") not in links and reverse("staff:queue") not in links
    assert {reverse("staff:reports"), reverse("staff:accounts"), reverse("staff:batch_list")} <= links


def test_a_scheme_administrator_finds_verification_accounts_and_the_admin_site(django_assert_num_queries):
    admin = staff_member(Role.SCHEME_ADMIN)
    held_change()
    client = signed_in(admin)
    # session, user, roles; changes to verify, identity claims
    with django_assert_num_queries(5):
        response = client.get(HOME)
    page = text(response)
    assert "1 change of applicant details waiting for a first check" in page
    assert "0 identity claims waiting for a decision" in page
    assert reverse("staff:accounts") in page
    # Without the admin's staff flag the admin site would refuse them: no link.
    assert reverse("admin:index") not in page
    admin.is_staff = True
    admin.save(update_fields=["is_staff"])
    page = text(client.get(HOME))
    assert f'href="{reverse("admin:index")}"' in page[: page.index("</nav>")]  # in the menu
    assert 'id="work-admin-site"' in page
    assert client.get(reverse("admin:index")).status_code == 200


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_every_page_in_the_menu_opens_for_its_reader(role):
    user = staff_member(role)
    user.is_staff = role == Role.SCHEME_ADMIN
    user.save(update_fields=["is_staff"])
    client = signed_in(user)
    links = nav_links(client.get(HOME).content.decode())
    assert HOME in links
    refused = {url: client.get(url).status_code for url in links}
    assert {url: status for url, status in refused.items() if status != 200} == {}
