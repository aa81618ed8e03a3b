import hashlib

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from subsidy.models import Application, ApplicationStatus, Batch, BatchStatus, Role
from subsidy.services import batches
from tests.factories import finance_staff, payable_application, today

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(client):
    user = finance_staff(Role.FINANCE_OFFICER)
    client.force_login(user)
    return user


def build(officer, n=2):
    for _ in range(n):
        payable_application()
    return batches.batch_create(by=officer)


def released(officer, n=2):
    batch = build(officer, n)
    batches.batch_submit(batch=batch, by=officer)
    return batches.batch_release(batch=batch, by=finance_staff(Role.FINANCE_APPROVER))


def test_batch_list_in_constant_queries(client, officer, django_assert_num_queries):
    for _ in range(3):
        build(officer, 1)
    # session, user, roles, count, page of batches (joined with their people)
    with django_assert_num_queries(5):
        response = client.get(reverse("staff:batch_list"))
    assert response.status_code == 200
    assert len(response.context["page"]) == 3
    assert "Build a new batch" in response.content.decode()


def test_finance_nav_for_finance_roles_only(client, officer):
    page = client.get(reverse("staff:application_list")).content.decode()
    assert reverse("staff:batch_list") in page and reverse("staff:budget") in page
    client.force_login(finance_staff(Role.REVIEWER))
    assert reverse("staff:batch_list") not in client.get(reverse("staff:application_list")).content.decode()
    assert client.get(reverse("staff:batch_list")).status_code == 403


def test_build_a_draft_from_the_selection(client, officer, django_assert_num_queries):
    for _ in range(3):
        payable_application()
    # session, user, roles (and scopes), count and total, preview rows (joined), the scheme
    # and round filters' choices
    with django_assert_num_queries(7):
        response = client.get(reverse("staff:batch_new"))
    assert (response.context["count"], str(response.context["total"])) == (3, "12000.00")
    response = client.post(reverse("staff:batch_new"), {"city": "shenzhen"})
    batch = Batch.objects.get()
    assert response.status_code == 302 and response.url == reverse("staff:batch_detail", kwargs={"pk": batch.pk})
    assert batch.line_count == 3


def test_detail_masks_account_numbers(client, officer):
    batch = build(officer)
    page = client.get(reverse("staff:batch_detail", kwargs={"pk": batch.pk})).content.decode()
    assert "•••• 3456" in page
    assert "4000023409200123456" not in page


def test_lines_page_in_constant_queries(client, officer, django_assert_max_num_queries):
    batch = build(officer, 3)
    with django_assert_max_num_queries(16) as few:
        client.get(reverse("staff:batch_detail", kwargs={"pk": batch.pk}))
    for _ in range(5):
        payable_application()
    bigger = batches.batch_create(by=officer)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("staff:batch_detail", kwargs={"pk": bigger.pk}))


def test_maker_checker_through_the_pages(client, officer):
    batch = build(officer)
    client.post(reverse("staff:batch_transition", kwargs={"pk": batch.pk, "action": "submit"}))
    assert Batch.objects.get(pk=batch.pk).status == BatchStatus.SUBMITTED
    # The officer is given the approver role too: still may not release their own batch.
    officer.groups.add(Group.objects.get_or_create(name=Role.FINANCE_APPROVER.value)[0])
    response = client.post(reverse("staff:batch_transition", kwargs={"pk": batch.pk, "action": "release"}))
    assert response.status_code == 403
    client.force_login(finance_staff(Role.FINANCE_APPROVER))
    client.post(reverse("staff:batch_transition", kwargs={"pk": batch.pk, "action": "release"}))
    assert Batch.objects.get(pk=batch.pk).status == BatchStatus.RELEASED
    assert set(Application.objects.values_list("status", flat=True)) == {ApplicationStatus.IN_PAYMENT}


def test_cancel_needs_a_reason(client, officer):
    batch = build(officer)
    url = reverse("staff:batch_transition", kwargs={"pk": batch.pk, "action": "cancel"})
    assert client.post(url, {"reason": ""}).status_code == 400
    client.post(url, {"reason": "wrong round"})
    assert Batch.objects.get(pk=batch.pk).status == BatchStatus.CANCELLED


def test_export_download_has_its_sha256_recorded_and_shown(client, officer):
    batch = released(officer)
    response = client.post(reverse("staff:batch_export", kwargs={"pk": batch.pk}), {"export_format": "pain001"})
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    digest = hashlib.sha256(body).hexdigest()
    assert response["X-Content-SHA256"] == digest
    assert f'filename="{batch.reference}.xml"' in response["Content-Disposition"]
    page = client.get(reverse("staff:batch_detail", kwargs={"pk": batch.pk})).content.decode()
    assert digest in page
    assert Batch.objects.get(pk=batch.pk).status == BatchStatus.EXPORTED


def test_import_a_return_file_through_the_page(client, officer):
    batch = released(officer)
    batches.batch_export(batch=batch, export_format="csv", by=officer).file.close()
    refs = list(batch.lines.values_list("application_reference", flat=True))
    data = f"{refs[0]},paid,B1,\n{refs[1]},failed,,AC04 account closed\n".encode()
    url = reverse("staff:batch_import", kwargs={"pk": batch.pk})
    response = client.post(url, {"return_file": SimpleUploadedFile("r.csv", data)}, follow=True)
    assert "1 paid, 1 failed" in response.content.decode()
    assert Batch.objects.get(pk=batch.pk).status == BatchStatus.RECONCILED
    response = client.post(url, {"return_file": SimpleUploadedFile("r.csv", data)}, follow=True)
    assert "already imported" in response.content.decode()


def test_budget_page(client, officer, django_assert_num_queries):
    payable_application()
    payable_application()
    # session, user, roles, one aggregate over every round
    with django_assert_num_queries(4):
        response = client.get(reverse("staff:budget"))
    assert response.status_code == 200
    assert len(response.context["budgets"]) == 2
    assert all(str(row.awaiting_payment) == "4000.00" and row.reconciles for row in response.context["budgets"])


def test_applicant_sees_paid_on_date(client, officer):
    batch = released(officer, 1)
    batches.batch_export(batch=batch, export_format="csv", by=officer).file.close()
    line = batch.lines.get()
    batches.batch_import_return(batch=batch, data=f"{line.application_reference},paid,B1,".encode(), by=officer)
    application = Application.objects.get(pk=line.application_id)
    client.force_login(application.created_by)
    page = client.get(reverse("portal:application_detail", kwargs={"pk": application.pk})).content.decode()
    assert f"Paid on {today().day} {today():%b %Y}." in page


def test_importing_the_exported_xlsx_as_the_return_is_refused_with_a_message(client, officer):
    from subsidy.models import BankReturn

    batch = released(officer)
    with batches.batch_export(batch=batch, export_format="xlsx", by=officer).file as handle:
        data = handle.read()
    url = reverse("staff:batch_import", kwargs={"pk": batch.pk})
    for name, content in [("PB.xlsx", data), ("noise.bin", bytes(range(256)) * 4), ("gb.csv", b"\x81\x30\xff\xff\r\n")]:
        response = client.post(url, {"return_file": SimpleUploadedFile(name, content)}, follow=True)
        assert response.status_code == 200, name
        assert "The return file cannot be read" in response.content.decode(), name
    assert not BankReturn.objects.exists()
    assert Batch.objects.get(pk=batch.pk).status == BatchStatus.EXPORTED


def test_withdraw_a_released_batch_from_its_page(client, officer):
    batch = released(officer)
    page = client.get(reverse("staff:batch_detail", kwargs={"pk": batch.pk})).content.decode()
    assert 'id="action-withdraw"' in page
    url = reverse("staff:batch_transition", kwargs={"pk": batch.pk, "action": "withdraw"})
    assert client.post(url, {"reason": "name too long"}).status_code == 400  # not confirmed
    assert client.post(url, {"reason": "", "understood": "on"}).status_code == 400
    response = client.post(url, {"reason": "name too long", "understood": "on"}, follow=True)
    assert "Batch withdrawn" in response.content.decode()
    assert Batch.objects.get(pk=batch.pk).status == BatchStatus.CANCELLED
    assert set(Application.objects.values_list("status", flat=True)) == {ApplicationStatus.APPROVED}
    page = client.get(reverse("staff:batch_detail", kwargs={"pk": batch.pk})).content.decode()
    assert 'id="action-withdraw"' not in page


def test_withdrawing_an_exported_batch_asks_that_the_file_was_not_sent(client, officer):
    batch = released(officer)
    batches.batch_export(batch=batch, export_format="csv", by=officer).file.close()
    page = client.get(reverse("staff:batch_detail", kwargs={"pk": batch.pk})).content.decode()
    assert 'name="file_not_sent"' in page
    url = reverse("staff:batch_transition", kwargs={"pk": batch.pk, "action": "withdraw"})
    response = client.post(url, {"reason": "XSD refused a name", "understood": "on"})
    assert response.status_code == 400
    assert "confirm that it was not sent" in response.content.decode()
    assert Batch.objects.get(pk=batch.pk).status == BatchStatus.EXPORTED
    client.post(url, {"reason": "XSD refused a name", "understood": "on", "file_not_sent": "on"})
    assert Batch.objects.get(pk=batch.pk).status == BatchStatus.CANCELLED


def test_the_import_form_is_there_from_the_release_on_without_a_reload_after_the_download(client, officer):
    """The bank file comes as a download, after which the page stays as it was: the form
    for the bank's answer is on the page as soon as a bank file can be downloaded."""
    from subsidy.models import BankReturn

    batch = build(officer)
    detail = reverse("staff:batch_detail", kwargs={"pk": batch.pk})
    assert 'id="import-form"' not in client.get(detail).content.decode()  # a draft
    batch = released(officer)
    detail = reverse("staff:batch_detail", kwargs={"pk": batch.pk})
    page = client.get(detail).content.decode()
    assert 'id="export-pain001"' in page and 'id="import-form"' in page
    assert "Download a bank file above and send it to the bank" in page
    # Imported before any bank file was made: refused with the service's message.
    line = batch.lines.first()
    url = reverse("staff:batch_import", kwargs={"pk": batch.pk})
    answer = SimpleUploadedFile("r.csv", f"{line.application_reference},paid,B1,".encode())
    response = client.post(url, {"return_file": answer}, follow=True)
    assert "after the batch has been exported" in response.content.decode()
    assert not BankReturn.objects.exists()
    assert Batch.objects.get(pk=batch.pk).status == BatchStatus.RELEASED
    # The same page, as it stayed after the download, takes the answer.
    download = client.post(reverse("staff:batch_export", kwargs={"pk": batch.pk}), {"export_format": "csv"})
    assert download.status_code == 200
    response = client.post(url, {"return_file": SimpleUploadedFile("r.csv", answer.open().read())}, follow=True)
    assert BankReturn.objects.count() == 1
    assert "Download a bank file above" not in response.content.decode()
