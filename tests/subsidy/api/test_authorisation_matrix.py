"""Every endpoint, every role, own or someone else's record: the expected status.

One world per endpoint; each role's request runs in a transaction that is rolled
back, so every role meets the same records in the same states. Applicants (and the
agency authorised for them) see only their own records, through every endpoint:
someone else's record is 404, as if it did not exist. Staff read every submitted
claim of the schemes they work on (another scheme's is 404 to them, `elsewhere`); what
they may *do* is the transitions' permissions (403 with the reason), and what the state
allows (409 with the reason)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from subsidy.services.tokens import api_token_create
from tests.authorisation import (
    ELSEWHERE,
    FINANCE_VIEWERS,
    ID_REVEALERS,
    STAFF,
    expectations,
    shared_world,
    with_elsewhere,
)
from tests.factories import pdf_upload
from tests.identifiers import valid_resident_id
from tests.subsidy.api.conftest import api_client

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "owner",  # the applicant's own account: these are its records
    "agent",  # the patent agency the applicant authorised
    "stranger",  # another applicant: these are someone else's records
    *STAFF,
    ELSEWHERE,  # every staff role, limited to another scheme
]
GROUPS = with_elsewhere(
    {
        "staff": STAFF,
        "finance_viewers": FINANCE_VIEWERS,
        "applicant_side": ["owner", "agent"],
        "id_revealers": ID_REVEALERS,
    }
)
expect = expectations(ROLES, GROUPS, anonymous=401)


def here(table: dict[str, int]) -> dict[str, int]:
    """`table`, for a record of this world's scheme: staff of another scheme only are
    refused it as if it did not exist (404), whatever their roles."""
    return table | {ELSEWHERE: 404}


@pytest.fixture
def world(django_capture_on_commit_callbacks):
    world = shared_world(django_capture_on_commit_callbacks)
    world.ids["api_token"] = api_token_create(user=world.users["owner"], name="owner's script", ip=None)[0].pk
    return world


NEW_APPLICANT = {
    "kind": "individual",
    "name": "黄喆",
    "id_kind": "resident_id",
    "id_number": valid_resident_id("440604", "19860315", "777"),
    "city": "foshan",
    "address": "佛山市禅城区 1 号",
    "contact_person": "黄喆",
    "phone": "13800138000",
    "email": "huang@example.cn",
}
DECLARATIONS = {"declarations": {"true_and_complete": True, "no_double_funding": True, "consent_to_checks": True}}

# (name, method, path, body or a callable making it, expected statuses by role)
ENDPOINTS: list[tuple[str, str, str, Any, dict[str, int]]] = [
    # Personal: everyone lists their own; a token is its owner's alone (the agent too gets 404).
    ("own API tokens", "get", "/api/v1/auth/tokens/", None, expect(200)),
    ("revoke an API token", "delete", "/api/v1/auth/tokens/{api_token}/", None, expect(404, owner=204)),
    ("rounds list", "get", "/api/v1/rounds/", None, expect(200)),
    ("round detail", "get", "/api/v1/rounds/{round}/", None, expect(200)),
    ("applicants list", "get", "/api/v1/applicants/", None, expect(200)),
    ("applicant detail", "get", "/api/v1/applicants/{applicant}/", None, expect(404, applicant_side=200)),
    (
        "applicant update",
        "patch",
        "/api/v1/applicants/{applicant}/",
        {"contact_person": "李四"},
        expect(404, applicant_side=200),
    ),
    (
        "applicant create",
        "post",
        "/api/v1/applicants/",
        lambda ids: NEW_APPLICANT,
        # As on the portal: any applicant or agency account may create a profile, and gets
        # access to it; staff accounts never act for an applicant.
        expect(201, staff=403),
    ),
    ("applications list", "get", "/api/v1/applications/", None, expect(200)),
    (
        "application create",
        "post",
        "/api/v1/applications/",
        lambda ids: {"applicant": ids["applicant"], "funding_round": ids["round"]},
        # Another applicant's profile is not among the choices: a field error, not a leak.
        expect(400, applicant_side=201),
    ),
    ("draft detail", "get", "/api/v1/applications/{draft}/", None, expect(404, applicant_side=200)),
    (
        "another scheme's claim",
        "get",
        "/api/v1/applications/{top_up_claim}/",
        None,
        expect(404, staff=200),  # its own staff, and staff of every scheme
    ),
    (
        "submitted detail",
        "get",
        "/api/v1/applications/{submitted}/",
        None,
        here(expect(404, applicant_side=200, staff=200)),
    ),
    ("draft update", "patch", "/api/v1/applications/{draft}/", DECLARATIONS, expect(404, applicant_side=200)),
    (
        "submitted update",
        "patch",
        "/api/v1/applications/{submitted}/",
        DECLARATIONS,
        here(expect(404, applicant_side=409, staff=403)),
    ),
    (
        "submit a draft",
        "post",
        "/api/v1/applications/{draft}/transitions/submit/",
        {},
        expect(404, applicant_side=200),
    ),
    (
        "submit a submitted claim",
        "post",
        "/api/v1/applications/{submitted}/transitions/submit/",
        {},
        here(expect(404, applicant_side=409, staff=409)),
    ),
    (
        "start review",
        "post",
        "/api/v1/applications/{submitted}/transitions/start_review/",
        {},
        here(expect(404, applicant_side=403, staff=403, reviewer=200)),
    ),
    (
        "withdraw a submitted claim",
        "post",
        "/api/v1/applications/{submitted}/transitions/withdraw/",
        {"comment": "no longer needed"},
        here(expect(404, applicant_side=200, staff=403)),
    ),
    (
        "approve an approved claim",
        "post",
        "/api/v1/applications/{decided}/transitions/approve/",
        {},
        here(expect(404, applicant_side=409, staff=409)),
    ),
    (
        "reject while under review is not possible",
        "post",
        "/api/v1/applications/{submitted}/transitions/reject/",
        {"reason": "x"},
        here(expect(404, applicant_side=409, staff=409)),
    ),
    (
        "unknown transition",
        "post",
        "/api/v1/applications/{submitted}/transitions/pay_twice/",
        {},
        here(expect(404)),
    ),
    (
        "declare a conflict",
        "post",
        "/api/v1/applications/{submitted}/conflict-declaration/",
        {"has_conflict": False},
        # Those who review or decide declare (the reviewer did already in this world);
        # other staff, auditors included, write nothing.
        here(expect(404, applicant_side=403, staff=403, approver=201, reviewer=409)),
    ),
    (
        "checklist before review",
        "post",
        "/api/v1/applications/{submitted}/checklist/",
        {"findings": [{"rule_code": "round_is_open", "passed": True}]},
        here(expect(404, applicant_side=403, staff=403)),
    ),
    (
        "timeline",
        "get",
        "/api/v1/applications/{submitted}/timeline/",
        None,
        here(expect(404, applicant_side=200, staff=200)),
    ),
    ("draft documents", "get", "/api/v1/applications/{draft}/documents/", None, expect(404, applicant_side=200)),
    (
        "submitted documents",
        "get",
        "/api/v1/applications/{submitted}/documents/",
        None,
        here(expect(404, applicant_side=200, staff=200)),
    ),
    (
        "upload to a draft",
        "multipart",
        "/api/v1/applications/{draft}/documents/",
        lambda ids: {"doc_type": "other", "file": pdf_upload()},
        expect(404, applicant_side=201),
    ),
    (
        "upload to a submitted claim",
        "multipart",
        "/api/v1/applications/{submitted}/documents/",
        lambda ids: {"doc_type": "other", "file": pdf_upload()},
        here(expect(404, applicant_side=409, staff=403)),
    ),
    (
        "document details",
        "get",
        "/api/v1/applications/{submitted}/documents/{submitted_document}/",
        None,
        here(expect(404, applicant_side=200, staff=200)),
    ),
    (
        "document download",
        "get",
        "/api/v1/applications/{submitted}/documents/{submitted_document}/download/",
        None,
        here(expect(404, applicant_side=200, staff=200)),
    ),
    (
        "draft document delete",
        "delete",
        "/api/v1/applications/{draft}/documents/{draft_document}/",
        None,
        expect(404, applicant_side=204),
    ),
    (
        "letters",
        "get",
        "/api/v1/applications/{decided}/letters/",
        None,
        here(expect(404, applicant_side=200, staff=200)),
    ),
    (
        "letter download",
        "get",
        "/api/v1/applications/{decided}/letters/{letter}/download/",
        None,
        here(expect(404, applicant_side=200, staff=200)),
    ),
    # Files that show a full ID number: staff who may see it (audited), and the applicant's side.
    (
        "identity document download",
        "get",
        "/api/v1/applications/{submitted}/documents/{identity_document}/download/",
        None,
        here(expect(404, applicant_side=200, staff=403, id_revealers=200)),
    ),
    (
        "letter to an individual download",
        "get",
        "/api/v1/applications/{decided_person}/letters/{person_letter}/download/",
        None,
        here(expect(404, applicant_side=200, staff=403, id_revealers=200)),
    ),
    ("letter verification", "get", "/api/v1/letters/verify/{token}/", None, expect(200, anonymous=200)),
    (
        "letter check with a copy",
        "multipart",
        "/api/v1/letters/verify/{token}/",
        lambda ids: {"file": pdf_upload()},
        expect(200, anonymous=200),
    ),
    ("batches list", "get", "/api/v1/batches/", None, expect(403, finance_viewers=200)),
    ("batch detail", "get", "/api/v1/batches/{batch}/", None, here(expect(403, finance_viewers=200))),
    ("batch lines", "get", "/api/v1/batches/{batch}/lines/", None, here(expect(403, finance_viewers=200))),
    ("batch exports", "get", "/api/v1/batches/{batch}/exports/", None, here(expect(403, finance_viewers=200))),
    (
        "batch create",
        "post",
        "/api/v1/batches/",
        {},
        # Staff of another scheme: nothing of their scheme to pay, so nothing to build.
        expect(403, finance_officer=201, elsewhere=400),
    ),
    (
        "batch submit",
        "post",
        "/api/v1/batches/{batch}/transitions/submit/",
        {},
        here(expect(403, finance_officer=200)),
    ),
    (
        "batch release before submission",
        "post",
        "/api/v1/batches/{batch}/transitions/release/",
        {},
        here(expect(403, finance_viewers=409)),
    ),
    (
        "batch withdraw (a draft batch)",
        "post",
        "/api/v1/batches/{batch}/transitions/withdraw/",
        {"reason": "the file cannot be produced"},
        # Who may never withdraw is told so before what the state allows.
        here(expect(403, finance_officer=409, finance_approver=409)),
    ),
    (
        "batch cancel",
        "post",
        "/api/v1/batches/{batch}/transitions/cancel/",
        {"reason": "wrong selection"},
        here(expect(403, finance_officer=200, finance_approver=200)),
    ),
    (
        "bank return for a batch not exported",
        "multipart",
        "/api/v1/batches/{batch}/bank-returns/",
        lambda ids: {"file": pdf_upload("return.csv", b"reference,status\n")},
        here(expect(403, finance_officer=409, finance_approver=409)),
    ),
    (
        "export a draft batch",
        "post",
        "/api/v1/batches/{batch}/exports/",
        {"export_format": "csv"},
        # Who may never export is told so before what the state allows.
        here(expect(403, finance_officer=409, finance_approver=409)),
    ),
]


def call(client: Any, method: str, path: str, body: Any) -> Any:
    if method == "multipart":
        return client.post(path, body, format="multipart")
    if method == "patch":
        return client.patch(path, body, format="json", HTTP_IF_MATCH="*")
    if method in ("post",):
        return client.post(path, body, format="json")
    return getattr(client, method)(path)


@pytest.mark.parametrize(("name", "method", "path", "body", "expected"), ENDPOINTS, ids=[e[0] for e in ENDPOINTS])
def test_authorisation_matrix(world, name, method, path, body, expected):
    url = path.format(**world.ids)
    got = {}
    for role in ROLES:
        payload = body(world.ids) if callable(body) else body
        with transaction.atomic():
            response = call(api_client(world.users[role]), method, url, payload)
            transaction.set_rollback(True)
        got[role] = response.status_code
        if response.status_code in (403, 409) and response.get("Content-Type", "").startswith("application/json"):
            assert response.json().get("detail"), f"{name} as {role}: a refusal says why"
    assert got == expected


def test_staff_of_another_scheme_list_none_of_these_records(world):
    client = api_client(world.users[ELSEWHERE])
    listed = {claim["id"] for claim in client.get("/api/v1/applications/").json()["results"]}
    assert listed == {world.ids["top_up_claim"]}
    assert client.get("/api/v1/batches/").json()["results"] == []
