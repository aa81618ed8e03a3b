"""ID and bank account numbers: masked on every staff page, shown in full to the
applicant (their own) and, one at a time, to the staff roles that need them through an
audited "show full number"; never in full in a log line."""

from __future__ import annotations

import logging
import sys

import pytest
from django.urls import reverse
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from subsidy.models import AuditEntry, Role
from subsidy.personal_data import PersonalDataFilter, mask_digits, mask_id_number
from subsidy.services import batches, reviews
from tests.factories import (
    IndividualApplicantFactory,
    UserFactory,
    awaiting_decision,
    cleared_approver,
    payable_application,
    staff_member,
    submitted_application,
)
from workflows.services import task_take

pytestmark = pytest.mark.django_db

ACCOUNT = "6217857000012345678"
STAFF = ["reviewer", "approver", "finance_officer", "finance_approver", "scheme_admin", "auditor"]


@pytest.fixture
def world(django_capture_on_commit_callbacks):
    owner = UserFactory()
    person = IndividualApplicantFactory(owner=owner, bank_account_number=ACCOUNT)
    users = {role: staff_member(Role(role)) for role in STAFF}
    submitted = submitted_application(created_by=owner, applicant=person)
    task = Task.objects.get(process__applicationprocess__application=submitted, status=STATUS.NEW)
    from tests.factories import cleared

    task_take(task=task, by=cleared(submitted, users["reviewer"]))
    decided, _ = awaiting_decision(created_by=owner, applicant=person)
    with django_capture_on_commit_callbacks(execute=True):
        reviews.application_approve(application=decided, by=cleared_approver(decided))
    payable_application(applicant=person, created_by=owner)
    batch = batches.batch_create(by=users["finance_officer"])
    return {
        "owner": owner,
        "person": person,
        "users": users,
        "submitted": submitted,
        "decided": decided,
        "task": task,
        "batch": batch,
        "line": batch.lines.get(),
    }


def staff_pages(w):
    return [
        reverse("staff:application_list"),
        reverse("staff:application_detail", args=[w["submitted"].pk]),
        reverse("staff:application_detail", args=[w["decided"].pk]),
        reverse("staff:task", args=[w["task"].pk]),
        reverse("staff:inbox"),
        reverse("staff:queue"),
        reverse("staff:letter_problems"),
        reverse("staff:batch_list"),
        reverse("staff:batch_new"),
        reverse("staff:batch_detail", args=[w["batch"].pk]),
        reverse("staff:budget"),
        reverse("staff:reports"),
        reverse("public_notice"),
        reverse("letter_verify", args=[w["decided"].letters.get().token]),
    ]


def test_no_staff_page_shows_a_full_id_or_account_number(client, world):
    person = world["person"]
    assert len(person.id_number) == 18
    seen = 0
    for role in STAFF:
        client.force_login(world["users"][role])
        for url in staff_pages(world):
            response = client.get(url)
            if response.status_code != 200:
                continue
            seen += 1
            html = response.content.decode()
            assert person.id_number not in html, f"{url} as {role} shows the full ID number"
            assert ACCOUNT not in html, f"{url} as {role} shows the full account number"
            assert person.id_number[6:14] not in html, f"{url} as {role} shows the birth date of the ID"
    assert seen > 40
    # The masked forms are what staff see.
    client.force_login(world["users"]["reviewer"])
    html = client.get(reverse("staff:application_detail", args=[world["submitted"].pk])).content.decode()
    assert mask_id_number(person.id_number) in html
    assert "•••• " + ACCOUNT[-4:] in html


def test_the_applicant_sees_their_own_full_details(client, world):
    client.force_login(world["owner"])
    html = client.get(reverse("portal:applicant_edit", args=[world["person"].pk])).content.decode()
    assert world["person"].id_number in html
    assert ACCOUNT in html
    html = client.get(reverse("portal:application_detail", args=[world["submitted"].pk])).content.decode()
    assert world["person"].id_number in html


def reveals():
    return AuditEntry.objects.filter(transition="personal_data_viewed")


@pytest.mark.parametrize(
    ("role", "field", "value"),
    [
        ("finance_officer", "bank_account_number", ACCOUNT),
        ("scheme_admin", "bank_account_number", ACCOUNT),
        ("reviewer", "id_number", None),
        ("approver", "id_number", None),
    ],
)
def test_show_full_number_on_the_case_page_is_audited(client, world, role, field, value):
    user = world["users"][role]
    client.force_login(user)
    case = reverse("staff:application_detail", args=[world["submitted"].pk])
    url = reverse("staff:reveal_personal_data", args=[world["submitted"].pk, field])
    assert f'action="{url}"' in client.get(case).content.decode()
    response = client.post(url, REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    assert (value or world["person"].id_number) in response.content.decode()
    entry = reveals().get()
    assert entry.actor == user
    assert entry.subject_id == str(world["person"].pk)
    assert entry.ip_address == "10.1.2.3"
    assert entry.changes["field"] == field
    assert entry.comment == world["submitted"].reference
    # The audit row says who looked at whose number, never the number.
    assert ACCOUNT not in str(entry.changes) and world["person"].id_number not in str(entry.changes)


@pytest.mark.parametrize(
    ("role", "field"),
    [("reviewer", "bank_account_number"), ("auditor", "bank_account_number"), ("finance_officer", "id_number")],
)
def test_roles_that_do_not_need_a_number_are_refused_and_not_offered(client, world, role, field):
    client.force_login(world["users"][role])
    url = reverse("staff:reveal_personal_data", args=[world["submitted"].pk, field])
    case = client.get(reverse("staff:application_detail", args=[world["submitted"].pk])).content.decode()
    assert f'action="{url}"' not in case
    assert client.post(url).status_code == 403
    assert not reveals().exists()


def test_show_full_number_on_a_batch_line_is_audited(client, world):
    user = world["users"]["finance_approver"]
    client.force_login(user)
    url = reverse("staff:batch_line_reveal", args=[world["batch"].pk, world["line"].pk])
    assert f'action="{url}"' in client.get(reverse("staff:batch_detail", args=[world["batch"].pk])).content.decode()
    response = client.post(url)
    assert response.status_code == 200
    assert ACCOUNT in response.content.decode()
    entry = reveals().get()
    assert (entry.actor, entry.subject_id) == (user, str(world["person"].pk))
    assert entry.changes == {"field": "bank_account_number", "batch_line": world["line"].pk}
    assert world["batch"].reference in entry.comment
    client.force_login(world["users"]["auditor"])
    assert f'action="{url}"' not in client.get(reverse("staff:batch_detail", args=[world["batch"].pk])).content.decode()
    assert client.post(url).status_code == 403
    assert reveals().count() == 1


# Logs --------------------------------------------------------------------------


def test_long_numbers_are_masked_in_text():
    assert mask_digits(f"paid to {ACCOUNT} today") == "paid to •••• 5678 today"
    assert mask_digits("ID 44060419860315123X, ok") == "ID •••• 123X, ok"
    assert mask_digits("card 6222 0212 3456 7890 1") == "card •••• 8901"
    # Amounts, dates, references and short numbers stay readable.
    for kept in ("CNY 10000.00", "2026-11-24 10:32:30", "GDHK-2026-000123", "HK30012345 A", "0755-26881234"):
        assert mask_digits(kept) == kept


def record(msg, *args, exc_info=None):
    return logging.LogRecord("subsidy", logging.ERROR, __file__, 1, msg, args, exc_info)


def test_the_log_filter_masks_messages_arguments_and_tracebacks():
    try:
        raise ValueError(f"bad account {ACCOUNT}")
    except ValueError:
        entry = record("export for %s failed: %s", "44060419860315123X", {"account": ACCOUNT}, exc_info=sys.exc_info())
    assert PersonalDataFilter().filter(entry)
    text = logging.Formatter().format(entry)
    assert ACCOUNT not in text and "44060419860315123X" not in text
    assert "•••• 5678" in text and "ValueError" in text


def test_the_log_filter_is_installed_on_every_configured_handler(settings):
    config = settings.LOGGING
    assert config["filters"]["personal_data"]["()"] == "subsidy.personal_data.PersonalDataFilter"
    for name, handler in config["handlers"].items():
        assert "personal_data" in handler.get("filters", []), name
    configured = [h for h in logging.getLogger().handlers if any(isinstance(f, PersonalDataFilter) for f in h.filters)]
    assert configured, "the root logger's handler masks personal data"


# Files that show a full number: identity documents and letters to individuals ------------


def identity_document(world):
    return world["submitted"].documents.get(doc_type="identity")


def file_urls(world):
    submitted, decided = world["submitted"], world["decided"]
    document, letter = identity_document(world), decided.letters.get()
    return {
        "page download": (reverse("staff:document_download", args=[submitted.pk, document.pk]), "document", document),
        "inline view": (reverse("staff:document_view", args=[submitted.pk, document.pk]), "document", document),
        "page letter": (reverse("staff:letter_download", args=[decided.pk, letter.pk]), "letter", letter),
        "api download": (
            f"/api/v1/applications/{submitted.pk}/documents/{document.pk}/download/",
            "document",
            document,
        ),
        "api letter": (f"/api/v1/applications/{decided.pk}/letters/{letter.pk}/download/", "letter", letter),
    }


@pytest.mark.parametrize("path", ["page download", "inline view", "page letter", "api download", "api letter"])
@pytest.mark.parametrize("role", ["reviewer", "approver", "scheme_admin"])
def test_opening_a_file_that_shows_a_full_id_number_is_audited(client, world, role, path):
    user = world["users"][role]
    client.force_login(user)
    url, key, file = file_urls(world)[path]
    response = client.get(url, REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    entry = reveals().get()
    assert (entry.actor, entry.subject_id, entry.ip_address) == (user, str(world["person"].pk), "10.1.2.3")
    assert entry.changes == {"field": "id_number", key: file.pk}
    assert entry.comment == (world["submitted"] if key == "document" else world["decided"]).reference
    assert world["person"].id_number not in str(entry.changes) + entry.comment


@pytest.mark.parametrize("path", ["page download", "inline view", "page letter", "api download", "api letter"])
@pytest.mark.parametrize("role", ["auditor", "finance_officer", "finance_approver"])
def test_roles_that_may_not_see_the_number_may_not_open_the_file(client, world, role, path):
    client.force_login(world["users"][role])
    assert client.get(file_urls(world)[path][0]).status_code == 403
    assert not reveals().exists()


def test_other_evidence_and_the_applicants_own_files_are_not_audited(client, world):
    submitted = world["submitted"]
    receipt = submitted.documents.get(doc_type="fee_receipt")
    client.force_login(world["users"]["auditor"])
    assert client.get(reverse("staff:document_download", args=[submitted.pk, receipt.pk])).status_code == 200
    client.force_login(world["owner"])
    document, letter = identity_document(world), world["decided"].letters.get()
    assert client.get(reverse("portal:document_download", args=[submitted.pk, document.pk])).status_code == 200
    assert client.get(reverse("portal:letter_download", args=[world["decided"].pk, letter.pk])).status_code == 200
    assert not reveals().exists()


def test_a_letter_to_an_organisation_shows_no_personal_number(client, django_capture_on_commit_callbacks):
    from subsidy.personal_data import document_full_number_field, letter_full_number_field

    assert letter_full_number_field(applicant_is_organisation=True) is None
    assert letter_full_number_field(applicant_is_organisation=False) == "id_number"
    assert document_full_number_field("identity") == "id_number"
    assert document_full_number_field("fee_receipt") is None
