"""What changed in a claim between an information request and its resubmission:
the snapshot, the comparison and the lines a reviewer reads."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from subsidy.claim_changes import change_lines, claim_changes, claim_snapshot
from subsidy.models import Applicant, CostItem, Patent
from subsidy.services import applications as applicant_side
from subsidy.services import documents as document_services
from tests.factories import ApplicationFactory, pdf_upload, today

pytestmark = pytest.mark.django_db

COST = {
    "cost_type": "agency_fee",
    "description": "",
    "amount": "8000.00",
    "currency": "CNY",
    "paid_on": "2026-01-05",
    "receipt_number": "R1",
}


def snapshot(**parts):
    base = {
        "applicant": {"id": 1, "name": "佛山市禅城新材料有限公司", "address": "佛山市禅城区 1 号", "id_number": "d1"},
        "patent": {"number": "HK1300001", "title_en": "A test device", "proprietors": ["佛山市禅城新材料有限公司"]},
        "costs": [dict(COST)],
        "documents": [{"id": 1, "doc_type": "grant_certificate", "name": "cert.pdf", "sha256": "a"}],
        "declarations": {"declare_true_and_complete": True, "declare_no_double_funding": True},
        "amount": "4000.00",
    }
    base.update(parts)
    return base


def english(changes):
    with translation.override("en"):
        return [str(line) for line in change_lines(changes)]


def test_nothing_changed_is_an_empty_list():
    assert claim_changes(snapshot(), snapshot()) == []
    assert english([]) == []


def test_a_real_claim_compared_with_itself_has_no_changes():
    application = ApplicationFactory()
    assert claim_changes(claim_snapshot(application), claim_snapshot(application)) == []


def test_documents_added_and_removed():
    after = snapshot(documents=[{"id": 2, "doc_type": "fee_receipt", "name": "receipt.pdf", "sha256": "b"}])
    changes = claim_changes(snapshot(), after)
    assert [(c["part"], c["change"], c["name"]) for c in changes] == [
        ("document", "removed", "cert.pdf"),
        ("document", "added", "receipt.pdf"),
    ]
    assert english(changes) == [
        "Document removed: Grant certificate: cert.pdf",
        "Document added: Fee receipt: receipt.pdf",
    ]


def test_a_patent_field_and_the_proprietors_changed():
    after = snapshot(patent={"number": "HK1300001", "title_en": "A better device", "proprietors": ["A 公司", "B 公司"]})
    changes = claim_changes(snapshot(), after)
    assert changes == [
        {"part": "patent", "field": "title_en", "before": "A test device", "after": "A better device"},
        {
            "part": "patent",
            "field": "proprietors",
            "before": ["佛山市禅城新材料有限公司"],
            "after": ["A 公司", "B 公司"],
        },
    ]
    with translation.override("en"):
        title_label = str(Patent._meta.get_field("title_en").verbose_name)
    assert english(changes) == [
        f"Patent: {title_label}: A test device → A better device",
        "Patent: Registered proprietors: 佛山市禅城新材料有限公司 → A 公司; B 公司",
    ]


def test_a_cost_item_changed_in_place_is_one_change_naming_its_fields():
    after = snapshot(costs=[{**COST, "amount": "6000.00"}], amount="3000.00")
    changes = claim_changes(snapshot(), after)
    assert changes == [
        {
            "part": "cost",
            "change": "changed",
            "item": {**COST, "amount": "6000.00"},
            "fields": {"amount": ["8000.00", "6000.00"]},
        },
        {"part": "amount", "field": "requested_amount", "before": "4000.00", "after": "3000.00"},
    ]
    lines = english(changes)
    assert lines[0].startswith("Cost item changed: ")
    assert lines[0].endswith(": 8,000.00 → 6,000.00")
    assert "receipt R1" in lines[0]
    assert lines[1].endswith(": 4,000.00 → 3,000.00")


def test_cost_items_added_and_removed_and_unchanged_ones_not_listed():
    official = {**COST, "cost_type": "official_fee", "receipt_number": "R2", "amount": "1200.00"}
    translation_fee = {**COST, "cost_type": "translation_fee", "receipt_number": "R3"}
    before = snapshot(costs=[dict(COST), official])
    after = snapshot(costs=[translation_fee, dict(COST)])
    changes = claim_changes(before, after)
    assert [(c["change"], c["item"]["receipt_number"]) for c in changes] == [("removed", "R2"), ("added", "R3")]
    lines = english(changes)
    assert lines[0].startswith("Cost item removed: ")
    assert lines[1].startswith("Cost item added: ")


def test_declarations_and_the_amount():
    after = snapshot(
        declarations={"declare_true_and_complete": True, "declare_no_double_funding": False}, amount="0.00"
    )
    changes = claim_changes(snapshot(), after)
    assert [c["part"] for c in changes] == ["declarations", "amount"]
    assert english(changes)[0].endswith(": ticked → not ticked")


def test_a_secret_field_is_reported_as_changed_without_its_values():
    application = ApplicationFactory()
    old_account = application.applicant.bank_account_number
    before = claim_snapshot(application)
    assert old_account not in str(before)
    Applicant.objects.filter(pk=application.applicant_id).update(bank_account_number="6217857000099998888")
    application.applicant.refresh_from_db()
    changes = claim_changes(before, claim_snapshot(application))
    assert changes == [{"part": "applicant", "field": "bank_account_number", "secret": True}]
    (line,) = english(changes)
    assert old_account not in line and "6217857000099998888" not in line
    assert line.endswith("changed (not shown here)")


def test_another_applicant_chosen_is_one_change_with_both_names():
    before = snapshot()
    after = snapshot(applicant={"id": 2, "name": "珠海市香洲科技有限公司", "address": "珠海"})
    changes = claim_changes(before, after)
    assert changes == [
        {"part": "applicant", "field": "id", "before": before["applicant"]["name"], "after": "珠海市香洲科技有限公司"}
    ]
    assert english(changes) == [
        f"Applicant: another applicant chosen: {before['applicant']['name']} → 珠海市香洲科技有限公司"
    ]


def test_snapshot_of_a_real_claim_follows_the_applicants_edits():
    application = ApplicationFactory()
    before = claim_snapshot(application)
    document = application.documents.first()
    document_services.document_delete(document=document, by=application.created_by)
    document_services.document_upload(
        application=application, by=application.created_by, doc_type="other", upload=pdf_upload("extra.pdf")
    )
    applicant_side.application_set_costs(
        application=application,
        by=application.created_by,
        items=[
            {
                "cost_type": "agency_fee",
                "amount": Decimal("6000.00"),
                "currency": "CNY",
                "paid_on": today() - dt.timedelta(days=40),
                "receipt_number": CostItem.objects.get(application=application).receipt_number,
            }
        ],
    )
    changes = claim_changes(before, claim_snapshot(application))
    assert [(c["part"], c.get("change")) for c in changes] == [
        ("cost", "changed"),
        ("document", "removed"),
        ("document", "added"),
    ]
    assert changes[0]["fields"] == {"amount": ["8000.00", "6000.00"]}
    assert changes[2]["name"] == "extra.pdf"


def test_unknown_choice_values_and_old_records_still_read():
    changes = [{"part": "document", "change": "added", "doc_type": "gone", "name": "x.pdf"}, {"part": "elsewhere"}]
    assert english(changes) == ["Document added: gone: x.pdf"]
