"""Every page and download, every role, own or someone else's record: the expected status.

The REST API has its own matrix (tests/subsidy/api/test_authorisation_matrix.py); this
one covers the server-rendered pages, file downloads (evidence, letters, bank files,
report exports), the public notice and the letter verification page.

One world; each role's request runs in a transaction that is rolled back, so every
role meets the same records in the same states. The policy the table encodes:

- anonymous visitors are sent to sign in (302 to the login page), except on the public
  pages (home, notice, verification, sign-up, password reset);
- an applicant, and the agency the applicant authorised, reach only their own records;
  anyone else's record is 404, as if it did not exist (another applicant, an agency
  authorised only for someone else, and staff on the portal's pages);
- staff pages refuse non-staff with 403; staff read every submitted claim (never a
  draft: 404); finance pages are for finance staff, scheme administrators and auditors;
  reports and the staff accounts for scheme administrators and auditors (resetting
  someone's two-factor sign-in: scheme administrators); an action someone may not take is 403;
- staff limited to another scheme (`elsewhere`, holding every staff role) meet this
  scheme's claims, documents, letters, tasks and batches as if they did not exist (404),
  and its lists show them none (test_staff_of_another_scheme_list_none_of_these_records).

`test_every_url_pattern_is_in_the_matrix` fails when a URL pattern appears that the
table does not cover.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from subsidy.models import AccessRole, ApplicantAccess, Application, Role
from subsidy.services.tokens import api_token_create
from tests.authorisation import (
    ELSEWHERE,
    FINANCE_VIEWERS,
    ID_REVEALERS,
    STAFF,
    World,
    expectations,
    shared_world,
    with_elsewhere,
)
from tests.factories import ApplicantFactory, UserFactory, pdf_upload, submitted_application
from workflows.services import task_take

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "owner",  # the applicant's own account: these are its records
    "agent",  # the patent agency the applicant authorised
    "other_agent",  # an agency authorised by another applicant only
    "stranger",  # another applicant
    "reviewer",  # holds the review task of the submitted claim
    *STAFF[1:],
    ELSEWHERE,  # every staff role, limited to another scheme
]
GROUPS = with_elsewhere(
    {
        "applicant_side": ["owner", "agent"],
        "outsiders": ["other_agent", "stranger"],
        "signed_in": ROLES[1:],
        "staff": STAFF,
        "finance_viewers": FINANCE_VIEWERS,
        "report_viewers": ["scheme_admin", "auditor"],
        "letter_managers": ["approver", "scheme_admin"],
        "id_revealers": ID_REVEALERS,
    }
)
LOGIN = 302  # anonymous, to the sign-in page (checked below)
expect = expectations(ROLES, GROUPS, anonymous=LOGIN)


# Portal pages: the applicant's side only, everyone else's record does not exist.
OWN = expect(404, applicant_side=200)
# Staff pages: staff only.
STAFF_ONLY = expect(403, staff=200)
FINANCE = expect(403, finance_viewers=200)
# A record of this world's scheme: staff of another scheme only are refused it as if it
# did not exist (404), whatever their roles.
HERE = {ELSEWHERE: 404}


def here(table: dict[str, int]) -> dict[str, int]:
    """`table`, for a record of this world's scheme."""
    return table | HERE


@pytest.fixture
def world(django_capture_on_commit_callbacks):
    world = shared_world(django_capture_on_commit_callbacks)
    other_agent = UserFactory(role=Role.AGENT)
    ApplicantAccess.objects.create(user=other_agent, applicant=ApplicantFactory(), role=AccessRole.AGENT)
    world.users["other_agent"] = other_agent
    submitted = Application.objects.get(pk=world.ids["submitted"])
    queued = submitted_application(funding_round=submitted.funding_round)  # someone else's, its task unassigned
    assigned = Task.objects.get(process__applicationprocess__application=submitted, status=STATUS.NEW)
    task_take(task=assigned, by=world.users["reviewer"])
    world.ids |= {
        "task": assigned.pk,
        "queued_task": Task.objects.get(process__applicationprocess__application=queued, status=STATUS.NEW).pk,
        "staff_account": world.users["reviewer"].pk,
        "api_token": api_token_create(user=world.users["owner"], name="owner's script", ip=None)[0].pk,
    }
    return world


def bank_return() -> SimpleUploadedFile:
    return SimpleUploadedFile("return.csv", b"reference,status\n", content_type="text/csv")


@dataclass(frozen=True)
class Row:
    """One request: a URL name with its arguments (names of the world's ids or literal
    values), the method and form data, and the status each role gets."""

    url_name: str
    expected: dict[str, int]
    args: tuple[str, ...] = ()
    method: str = "get"
    data: Any = None
    note: str = ""

    def url(self, ids: dict[str, Any]) -> str:
        return reverse(self.url_name, args=[ids.get(arg, arg) for arg in self.args])

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.url_name}({', '.join(self.args)}){' ' + self.note if self.note else ''}"


ROWS: list[Row] = [
    # --- public pages ------------------------------------------------------------------
    Row("home", expect(302, anonymous=200), note="signed in: to one's own start page"),
    Row("public_notice", expect(200, anonymous=200)),
    Row("favicon", expect(302, anonymous=302), note="to the static icon, for everyone"),
    Row("letter_verify", expect(200, anonymous=200), ("token",)),
    Row("letter_verify", expect(200, anonymous=200), ("token",), "post", lambda: {"file": pdf_upload()}, "a copy"),
    Row("letter_verify", expect(404, anonymous=404), ("NOSUCHCODE",)),
    Row("signup", expect(200, anonymous=200)),
    Row("account_activate", expect(200, anonymous=200), ("MQ", "wrong-token"), note="the page; nothing changes"),
    Row(
        "account_activate",
        expect(400, anonymous=400),
        ("MQ", "wrong-token"),
        "post",
        note="a wrong link activates nothing",
    ),
    Row("login", expect(200, anonymous=200)),
    Row("logout", expect(302, anonymous=302), method="post"),
    Row("password_change", expect(200)),
    Row("password_change_done", expect(200)),
    Row("password_reset", expect(200, anonymous=200)),
    Row("password_reset_done", expect(200, anonymous=200)),
    Row("password_reset_confirm", expect(200, anonymous=200), ("MQ", "set-password"), note="a stale link"),
    Row("password_reset_complete", expect(200, anonymous=200)),
    Row("two_factor_setup", expect(302, staff=200), note="staff enrol an app; others are sent home"),
    Row("two_factor_verify", expect(302), note="no app enrolled yet: staff to set-up, others home"),
    Row("set_language", expect(302, anonymous=302), method="post", data={"language": "en", "next": "/"}),
    # --- one's own API tokens: everyone signed in, nobody else's ---------------------------
    Row("api_tokens", expect(200)),
    Row("api_tokens", expect(200), method="post", data={"name": "script", "days": "30"}, note="the key, once"),
    Row("api_token_revoke", expect(404, owner=302), ("api_token",), "post", note="the owner's own only"),
    Row("api_token_revoke", expect(405), ("api_token",), note="GET"),
    Row("admin:index", expect(302), note="nobody here is Django staff: to the admin's sign-in"),
    # --- applicant portal --------------------------------------------------------------
    Row("portal:applicant_list", expect(200)),
    Row("portal:applicant_create", expect(200, staff=403), note="staff never act for an applicant"),
    Row(
        "portal:applicant_create",
        expect(200, staff=403),
        method="post",
        data={"kind": ""},
        note="invalid form: applicants see the errors, staff are refused",
    ),
    Row("portal:applicant_edit", OWN, ("applicant",)),
    Row(
        "portal:applicant_edit",
        expect(404, applicant_side=200),
        ("applicant",),
        "post",
        {"contact_person": ""},
        "invalid form: the owner sees the errors",
    ),
    Row("portal:application_list", expect(200)),
    Row(
        "portal:application_new",
        expect(302, applicant_side=200, outsiders=200),
        note="no applicant profile yet: to create one",
    ),
    Row("portal:application_detail", expect(404, applicant_side=302), ("draft",), note="a draft opens its steps"),
    Row("portal:application_detail", OWN, ("submitted",)),
    Row("portal:claim_applicant", OWN, ("draft",)),
    Row("portal:claim_patent", OWN, ("draft",)),
    Row("portal:claim_costs", OWN, ("draft",)),
    Row("portal:claim_documents", OWN, ("draft",)),
    Row("portal:claim_declarations", OWN, ("draft",)),
    Row("portal:claim_review", OWN, ("draft",)),
    Row("portal:claim_patent", expect(404, applicant_side=302), ("submitted",), note="no longer editable"),
    Row(
        "portal:claim_documents",
        expect(404, applicant_side=302),
        ("submitted",),
        "post",
        lambda: {"doc_type": "other", "file": pdf_upload()},
        "upload once submitted",
    ),
    Row("portal:document_download", OWN, ("draft", "draft_document")),
    Row("portal:document_download", OWN, ("submitted", "submitted_document")),
    Row("portal:document_download", expect(404), ("submitted", "draft_document"), note="not this claim's document"),
    Row("portal:document_delete", expect(404, applicant_side=302), ("draft", "draft_document"), "post"),
    Row("portal:document_delete", expect(405), ("draft", "draft_document"), note="GET"),
    Row("portal:letter_download", OWN, ("decided", "letter")),
    Row("portal:letter_download", expect(404), ("submitted", "letter"), note="not this claim's letter"),
    Row("portal:application_withdraw", OWN, ("submitted",)),
    Row("portal:application_withdraw", expect(404, applicant_side=302), ("submitted",), "post", {"comment": ""}),
    Row(
        "portal:application_email_language",
        expect(404, applicant_side=302),
        ("submitted",),
        "post",
        {"language": "en"},
        "the claim's owner and agent only",
    ),
    Row("portal:application_email_language", expect(405), ("submitted",), note="GET"),
    # --- staff: changes of identity or bank details, verified by two people ---------------
    Row("staff:applicant_changes", STAFF_ONLY),
    Row("staff:applicant_change", STAFF_ONLY, ("applicant_change",)),
    Row(
        "staff:applicant_change",
        expect(403, reviewer=302, finance_officer=302, scheme_admin=302),
        ("applicant_change",),
        "post",
        {"action": "check", "comment": "Bank letter seen."},
        "the first check: claims or finance staff",
    ),
    Row(
        "staff:applicant_change",
        STAFF_ONLY,
        ("applicant_change",),
        "post",
        {"action": "confirm", "comment": ""},
        "not checked yet: the page says so, nothing changes",
    ),
    Row("portal:identity_claim", expect(200, staff=403), note="the real holder of a registered number asks"),
    Row("staff:identity_claims", expect(403, approver=200, scheme_admin=200, auditor=200)),
    Row("staff:identity_claim", expect(403, approver=200, scheme_admin=200, auditor=200), ("identity_claim",)),
    Row(
        "staff:identity_claim",
        expect(403, approver=302, scheme_admin=302),
        ("identity_claim",),
        "post",
        {"action": "refuse", "comment": "The licence shows another name."},
        "approvers and scheme administrators decide",
    ),
    Row(
        "staff:identity_claim_evidence",
        expect(403, approver=200, scheme_admin=200),
        ("identity_claim",),
        note="a full number: those who decide, audited",
    ),
    # --- staff: claims, documents, letters ---------------------------------------------
    Row("staff:home", STAFF_ONLY),
    Row("staff:application_list", STAFF_ONLY),
    Row("staff:application_detail", here(STAFF_ONLY), ("submitted",)),
    Row("staff:application_detail", STAFF_ONLY, ("top_up_claim",), note="the other scheme's: its staff too"),
    Row("staff:application_detail", expect(403, staff=404), ("draft",), note="drafts stay with the applicant"),
    Row("staff:document_download", here(STAFF_ONLY), ("submitted", "submitted_document")),
    Row("staff:document_download", expect(403, staff=404), ("draft", "draft_document")),
    Row("staff:document_download", expect(403, staff=404), ("decided", "submitted_document"), note="another claim's"),
    Row("staff:document_view", here(STAFF_ONLY), ("submitted", "submitted_document")),
    # Files that show a full ID number: the roles that may see it, audited (auditors read the rows).
    Row("staff:document_download", here(expect(403, id_revealers=200)), ("submitted", "identity_document")),
    Row("staff:document_view", here(expect(403, id_revealers=200)), ("submitted", "identity_document")),
    Row("staff:letter_download", here(expect(403, id_revealers=200)), ("decided_person", "person_letter")),
    Row("portal:document_download", OWN, ("submitted", "identity_document")),
    Row("portal:letter_download", OWN, ("decided_person", "person_letter")),
    Row("staff:document_view", expect(403, staff=404), ("draft", "draft_document")),
    Row(
        "staff:record_objection",
        here(expect(403, letter_managers=302)),
        ("decided",),
        "post",
        {"objection": "The patent is not the applicant's."},
    ),
    Row(
        "staff:record_objection",
        here(expect(403, letter_managers=400)),
        ("decided",),
        "post",
        {},
        "empty form: only those who may object see its errors",
    ),
    Row(
        "staff:reveal_personal_data",
        here(expect(403, reviewer=200, approver=200, scheme_admin=200)),
        ("submitted", "id_number"),
        "post",
    ),
    Row(
        "staff:reveal_personal_data",
        here(expect(403, finance_officer=200, finance_approver=200, scheme_admin=200)),
        ("submitted", "bank_account_number"),
        "post",
    ),
    Row("staff:reveal_personal_data", expect(403, staff=404), ("draft", "bank_account_number"), "post"),
    Row("staff:reveal_personal_data", here(expect(403)), ("submitted", "phone"), "post", note="not revealable"),
    Row("staff:reveal_personal_data", expect(403, staff=405), ("submitted", "id_number"), note="GET"),
    Row("staff:letter_download", here(STAFF_ONLY), ("decided", "letter")),
    Row("staff:letter_download", expect(403, staff=404), ("submitted", "letter"), note="not this claim's letter"),
    Row("staff:letter_problems", STAFF_ONLY),
    Row("staff:letter_retry", here(expect(403, letter_managers=302)), ("letter",), "post"),
    Row(
        "staff:letter_correct",
        here(expect(403, letter_managers=302)),
        ("letter",),
        "post",
        {"reason": "Typo in the name."},
    ),
    Row(
        "staff:letter_correct",
        here(expect(403, letter_managers=302)),
        ("letter",),
        "post",
        {},
        "empty form",
    ),
    # --- finance -----------------------------------------------------------------------
    Row("staff:batch_list", FINANCE),
    Row("staff:batch_new", FINANCE),
    Row(
        "staff:batch_new",
        expect(403, finance_officer=302, elsewhere=200),
        method="post",
        data={"city": ""},
        note="nothing of its own scheme to pay: the page says so",
    ),
    Row(
        "staff:batch_new",
        expect(403, finance_officer=200),
        method="post",
        data={"approved_from": "2030-01-02", "approved_to": "2030-01-01"},
        note="invalid filters: only officers see the errors",
    ),
    Row("staff:batch_detail", here(FINANCE), ("batch",)),
    Row("staff:batch_detail", expect(403, finance_viewers=404), ("999999",), note="no such batch"),
    Row(
        "staff:batch_line_reveal",
        here(expect(403, finance_officer=200, finance_approver=200, scheme_admin=200)),
        ("batch", "line"),
        "post",
    ),
    Row("staff:batch_line_reveal", expect(403, finance_viewers=404), ("batch", "999999"), "post"),
    Row("staff:batch_line_reveal", expect(403, finance_viewers=405), ("batch", "line"), note="GET"),
    Row("staff:batch_transition", here(expect(403, finance_officer=302)), ("batch", "submit"), "post"),
    Row(
        "staff:batch_transition",
        here(expect(403, finance_officer=302, finance_approver=302)),
        ("batch", "cancel"),
        "post",
        {"reason": "Wrong selection."},
    ),
    Row(
        "staff:batch_transition",
        here(expect(403, finance_officer=302, finance_approver=302)),
        ("batch", "withdraw"),
        "post",
        {"reason": "The file cannot be produced.", "understood": "on"},
        "a draft batch: refused with a message; others may never withdraw",
    ),
    Row("staff:batch_transition", expect(403, finance_viewers=404), ("batch", "pay-twice"), "post"),
    Row(
        "staff:batch_export",
        here(expect(403, finance_officer=302, finance_approver=302)),
        ("batch",),
        "post",
        {"export_format": "csv"},
        "a draft batch: refused with a message",
    ),
    Row(
        "staff:batch_import",
        here(expect(403, finance_officer=302, finance_approver=302)),
        ("batch",),
        "post",
        lambda: {"return_file": bank_return()},
        "a batch not exported: refused with a message",
    ),
    Row("staff:budget", FINANCE),
    # --- reports -----------------------------------------------------------------------
    Row("staff:reports", expect(403, report_viewers=200)),
    Row("staff:report_export", expect(403, report_viewers=200), ("status", "csv")),
    Row("staff:report_export", expect(403, report_viewers=200), ("status", "xlsx")),
    # --- the flow: inbox, queue, tasks -------------------------------------------------
    Row("staff:accounts", expect(403, report_viewers=200), note="scheme administrators and auditors"),
    Row("staff:two_factor_reset", expect(403, scheme_admin=200), ("staff_account",)),
    Row("staff:hand_over", expect(403, scheme_admin=200), ("staff_account",)),
    Row(
        "staff:hand_over",
        expect(403, scheme_admin=200),  # no one chosen: the form again
        ("staff_account",),
        "post",
        {"reason": "Left the office"},
        "scheme administrators only",
    ),
    Row(
        "staff:two_factor_reset",
        expect(403, scheme_admin=200),  # the page with the enrolment code
        ("staff_account",),
        "post",
        {"reason": "Phone lost"},
        "scheme administrators only",
    ),
    Row("staff:inbox", STAFF_ONLY),
    Row("staff:queue", STAFF_ONLY),
    Row("staff:task", here(expect(403, staff=302, reviewer=200)), ("task",), note="others: to the case page"),
    Row("staff:task", here(expect(403, staff=302)), ("queued_task",), note="nobody's yet: to the case page"),
    Row("staff:task", expect(403, staff=404), ("999999",)),
    Row("staff:task_assign", here(expect(403, staff=403, reviewer=302)), ("queued_task",), "post"),
    Row("staff:task_unassign", here(expect(403, staff=403, reviewer=302)), ("task",), "post"),
    Row(
        "staff:task_reassign",
        here(expect(403, scheme_admin=400)),
        ("task",),
        "post",
        {},
        "empty form: only administrators see its errors",
    ),
    Row("staff:flow_chart", STAFF_ONLY),
    Row("staff:flow_chart_svg", STAFF_ONLY),
]

# Covered elsewhere, by their own tests.
NOT_IN_THIS_MATRIX = {
    "api": "the REST API: tests/subsidy/api/test_authorisation_matrix.py",
    "admin": "Django's admin: its own is_staff/permission checks (only its index is in the table)",
}


def request(client: Client, row: Row, url: str) -> Any:
    data = row.data() if callable(row.data) else row.data
    if row.method == "post":
        return client.post(url, data or {})
    return client.get(url)


def test_every_page_and_download_for_every_role(world: World) -> None:
    wrong = []
    for row in ROWS:
        url = row.url(world.ids)
        for role in ROLES:
            client = Client()
            if world.users[role] is not None:
                client.force_login(world.users[role])
            with transaction.atomic():
                response = request(client, row, url)
                transaction.set_rollback(True)
            got, expected = response.status_code, row.expected[role]
            if got != expected:
                wrong.append(f"{row.label} as {role}: {got}, expected {expected}")
            elif role == "anonymous" and got == LOGIN and row.expected["owner"] != LOGIN:
                location = response.headers["Location"]
                if not (location.startswith(reverse("login")) or location.startswith(reverse("admin:login"))):
                    wrong.append(f"{row.label} as anonymous: to {location}, not to sign in")
            if hasattr(response, "streaming_content"):
                b"".join(response.streaming_content)  # close the file
    assert not wrong, "\n".join(wrong)


def _patterns(resolver: URLResolver, namespace: str = "") -> list[str]:
    names = []
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names.extend(_patterns(pattern, inner))
        elif isinstance(pattern, URLPattern):
            names.append(f"{namespace}{pattern.name}" if pattern.name else f"{namespace}<unnamed {pattern.pattern}>")
    return names


def test_every_url_pattern_is_in_the_matrix() -> None:
    covered = {row.url_name for row in ROWS}
    missing = sorted(
        name
        for name in set(_patterns(get_resolver()))
        if name not in covered and name.split(":")[0] not in NOT_IN_THIS_MATRIX
    )
    assert not missing, f"URL patterns without a row in the authorisation matrix: {missing}"


def test_the_matrix_names_no_pattern_that_does_not_exist() -> None:
    assert {row.url_name for row in ROWS} <= set(_patterns(get_resolver()))


def test_staff_of_another_scheme_list_none_of_these_records(world: World) -> None:
    from subsidy.models import Batch, FundingRound

    client = Client()
    client.force_login(world.users[ELSEWHERE])
    theirs = Application.objects.get(pk=world.ids["top_up_claim"])
    here = [a.reference for a in Application.objects.exclude(pk=theirs.pk).exclude(reference=None)]
    batch = Batch.objects.get(pk=world.ids["batch"])
    for url_name in ("staff:application_list", "staff:queue", "staff:inbox", "staff:letter_problems"):
        page = client.get(reverse(url_name)).content.decode()
        assert not [reference for reference in here if reference in page], url_name
    assert theirs.reference in client.get(reverse("staff:application_list")).content.decode()
    assert theirs.reference in client.get(reverse("staff:queue")).content.decode()
    assert batch.reference not in client.get(reverse("staff:batch_list")).content.decode()
    budget = client.get(reverse("staff:budget")).content.decode()
    assert theirs.funding_round.name in budget
    assert FundingRound.objects.get(pk=world.ids["round"]).name not in budget
    # The reports count their scheme's claims only: the one submitted claim.
    report = client.get(reverse("staff:report_export", args=["status", "csv"])).content.decode()
    counts = {row.split(",")[0]: row.split(",")[1] for row in report.strip().splitlines()[1:]}
    assert sum(int(n) for label, n in counts.items() if label not in ("Total", "合计")) == 1
