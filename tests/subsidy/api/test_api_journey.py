"""The whole journey driven only through the API: an applicant files and submits a
claim, a reviewer recommends it, an approver approves it (the letter is issued and
verifiable), finance batches, releases, exports and reconciles it; the applicant
sees it paid. Only the users and the funding round are made outside the API."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from subsidy.demo_data import TINY_PDF
from subsidy.models import Role
from tests.factories import FundingRoundFactory, UserFactory, staff_member
from tests.identifiers import valid_cnipa, valid_uscc
from tests.subsidy.api.conftest import api_client
from tests.subsidy.exports.bank_files import craft_pain002, pain001_transactions

pytestmark = pytest.mark.django_db


def ok(response, status=200):
    assert response.status_code == status, response.content[:2000]
    return response


def test_a_claim_from_draft_to_paid_through_the_api_only(django_capture_on_commit_callbacks):
    today = timezone.localdate()
    funding_round = FundingRoundFactory(notice_period_working_days=0)
    applicant_user = UserFactory()
    reviewer, approver = staff_member(Role.REVIEWER), staff_member(Role.APPROVER)
    officer, finance_approver = staff_member(Role.FINANCE_OFFICER), staff_member(Role.FINANCE_APPROVER)
    applicant_api, reviewer_api, approver_api = api_client(applicant_user), api_client(reviewer), api_client(approver)
    officer_api, releaser_api = api_client(officer), api_client(finance_approver)

    # The applicant: profile, draft, patent, costs, declarations, evidence, submit.
    name = "广州市接口测试科技有限公司"
    profile = ok(
        applicant_api.post(
            "/api/v1/applicants/",
            {
                "kind": "organisation",
                "name": name,
                "uscc": valid_uscc("440100", "MA0000001"),
                "city": "guangzhou",
                "address": "广州市天河区 1 号",
                "contact_person": "张三",
                "phone": "020-38881234",
                "email": "api@example.cn",
                "bank_account_name": name,
                "bank_name": "中国工商银行广州分行",
                "bank_account_number": "3602000109000123456",
                "cnaps_code": "102581000013",
            },
        ),
        201,
    ).json()
    draft = ok(
        applicant_api.post("/api/v1/applications/", {"applicant": profile["id"], "funding_round": funding_round.pk}),
        201,
    )
    claim_id = draft.json()["id"]
    claim_url = f"/api/v1/applications/{claim_id}/"
    updated = ok(
        applicant_api.patch(
            claim_url,
            {
                "patent": {
                    "number": "hk 1300999",
                    "route": "R",
                    "designated_office": "CNIPA",
                    "designated_application_number": valid_cnipa(2023, "0000999"),
                    "title_zh": "一种接口测试装置",
                    "grant_date": (today - dt.timedelta(days=30)).isoformat(),
                    "proprietors": [name],
                },
                "cost_items": [
                    {
                        "cost_type": "agency_fee",
                        "amount": "8000.00",
                        "currency": "CNY",
                        "paid_on": (today - dt.timedelta(days=20)).isoformat(),
                        "receipt_number": "R-API-1",
                    }
                ],
                "declarations": {"true_and_complete": True, "no_double_funding": True, "consent_to_checks": True},
            },
            HTTP_IF_MATCH=draft["ETag"],
        )
    ).json()
    assert updated["patent"]["number"] == "HK1300999"
    for doc_type in ("grant_certificate", "fee_receipt", "business_licence"):
        upload = {"doc_type": doc_type, "file": _pdf(f"{doc_type}.pdf")}
        ok(applicant_api.post(f"{claim_url}documents/", upload, format="multipart"), 201)
    documents = ok(applicant_api.get(f"{claim_url}documents/")).json()
    assert len(documents) == 3
    downloaded = ok(applicant_api.get(f"{claim_url}documents/{documents[0]['id']}/download/"))
    assert b"".join(downloaded.streaming_content) == TINY_PDF
    submitted = ok(applicant_api.post(f"{claim_url}transitions/submit/", {})).json()
    assert submitted["status"] == "submitted"
    assert submitted["reference"].startswith("GDHK-")
    assert submitted["requested_amount"] == "4000.00"
    assert submitted["available_transitions"] == ["withdraw"]

    # The reviewer: declaration, review, checklist, recommendation.
    ok(reviewer_api.post(f"{claim_url}conflict-declaration/", {"has_conflict": False}), 201)
    in_review = ok(reviewer_api.post(f"{claim_url}transitions/start_review/", {})).json()
    assert set(in_review["available_transitions"]) == {"request_info", "recommend"}
    from subsidy.rules import RULE_SETS

    findings = [{"rule_code": code, "passed": True} for code in RULE_SETS["hk_standard_patent"].codes]
    ok(reviewer_api.post(f"{claim_url}checklist/", {"findings": findings}))
    recommended = ok(
        reviewer_api.post(f"{claim_url}transitions/recommend/", {"recommendation": "approve", "amount": "4000.00"})
    ).json()
    assert recommended["status"] == "awaiting_decision"

    # The approver: the reviewer may not decide (four eyes), the approver does.
    refused = reviewer_api.post(f"{claim_url}transitions/approve/", {})
    assert refused.status_code == 403
    ok(approver_api.post(f"{claim_url}conflict-declaration/", {"has_conflict": False}), 201)
    with django_capture_on_commit_callbacks(execute=True):
        approved = ok(approver_api.post(f"{claim_url}transitions/approve/", {})).json()
    assert approved["status"] == "approved"
    assert approved["approved_amount"] == "4000.00"

    # The applicant downloads the letter; anyone verifies it.
    letters = ok(applicant_api.get(f"{claim_url}letters/")).json()
    assert [letter["kind"] for letter in letters] == ["approval"]
    pdf = b"".join(ok(applicant_api.get(f"{claim_url}letters/{letters[0]['id']}/download/")).streaming_content)
    verification = ok(
        api_client().post(
            f"/api/v1/letters/verify/{letters[0]['token']}/", {"file": _pdf("copy.pdf", pdf)}, format="multipart"
        )
    ).json()
    assert verification["authentic"] is True

    # Finance: build, submit, release (another person), export, reconcile.
    batch = ok(officer_api.post("/api/v1/batches/", {"funding_round": funding_round.pk}), 201).json()
    assert (batch["line_count"], batch["total_amount"]) == (1, "4000.00")
    batch_url = f"/api/v1/batches/{batch['id']}/"
    ok(officer_api.post(f"{batch_url}transitions/submit/", {}))
    assert officer_api.post(f"{batch_url}transitions/release/", {}).status_code == 403
    released = ok(releaser_api.post(f"{batch_url}transitions/release/", {})).json()
    assert released["status"] == "released"
    assert ok(applicant_api.get(claim_url)).json()["status"] == "in_payment"
    export = ok(officer_api.post(f"{batch_url}exports/", {"export_format": "pain001"}))
    data = b"".join(export.streaming_content)
    assert len(export["X-Content-SHA256"]) == 64
    transactions = pain001_transactions(data)
    assert transactions == [(submitted["reference"], Decimal("4000.00"))]
    status_report = craft_pain002(batch["reference"], [(ref, amt, "ACSC") for ref, amt in transactions], today)
    result = ok(
        officer_api.post(f"{batch_url}bank-returns/", {"file": _pdf("pain002.xml", status_report)}, format="multipart")
    ).json()
    assert (result["paid"], result["failed"], result["batch"]["status"]) == (1, 0, "reconciled")

    # The applicant sees the claim paid, and the whole story in the timeline.
    final = ok(applicant_api.get(claim_url)).json()
    assert final["status"] == "paid"
    assert final["paid_on"] == today.isoformat()
    actions = [entry["action"] for entry in ok(applicant_api.get(f"{claim_url}timeline/")).json()]
    for step in ("submit", "start_review", "approve", "schedule_payment", "confirm_paid"):
        assert step in actions


def _pdf(name, content=TINY_PDF):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)
