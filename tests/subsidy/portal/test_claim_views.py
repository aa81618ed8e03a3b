"""The portal's answers to bad input and to people who are not the applicant."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from subsidy.demo_data import TINY_PDF
from subsidy.identifiers import USCC_ALPHABET
from subsidy.models import Applicant, Application, ApplicationStatus, CostItem, Document, LetterChinese
from subsidy.portal.steps import CLAIM_STEPS
from tests.factories import (
    ApplicationFactory,
    FundingRoundFactory,
    UserFactory,
    submitted_application,
    today,
    update_claim,
)
from tests.identifiers import valid_uscc

pytestmark = pytest.mark.django_db


def url(name, application, **kw):
    return reverse(name, kwargs={"pk": application.pk, **kw})


@pytest.fixture
def draft(client):
    application = ApplicationFactory(complete=False, patent=None)
    client.force_login(application.created_by)
    return application


def applicant_post(**overrides):
    data = {
        "kind": "organisation",
        "name": "佛山市禅城新材料有限公司",
        "name_en": "",
        "uscc": valid_uscc("440604", "MA4W1X2Y3"),
        "id_kind": "",
        "id_number": "",
        "city": "foshan",
        "address": "佛山市禅城区 1 号",
        "contact_person": "陈",
        "phone": "0757-83001234",
        "email": "a@example.cn",
        "bank_account_name": "佛山市禅城新材料有限公司",
        "bank_name": "中国银行",
        "bank_account_number": "6217857000012345678",
        "cnaps_code": "104581003012",
        "letter_chinese": "zh-hans",
    }
    data.update(overrides)
    return data


def test_wrong_uscc_check_character_is_a_field_error_and_nothing_is_stored(client):
    client.force_login(UserFactory())
    good = valid_uscc("440604", "MA4W1X2Y3")
    wrong = good[:-1] + next(c for c in USCC_ALPHABET if c != good[-1])
    response = client.post(reverse("portal:applicant_create"), applicant_post(uscc=wrong))
    assert response.status_code == 200
    assert "uscc" in response.context["form"].errors
    assert not Applicant.objects.exists()
    response = client.post(reverse("portal:applicant_create"), applicant_post(uscc=good.lower()))
    assert response.status_code == 302
    assert Applicant.objects.get().uscc == good


def test_chinese_error_messages_for_chinese_users(client):
    client.force_login(UserFactory())
    response = client.post(
        reverse("portal:applicant_create"), applicant_post(uscc="123"), headers={"accept-language": "zh-hans"}
    )
    message = response.context["form"].errors["uscc"][0]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message), message


def test_html_in_text_fields_is_escaped_on_output(client, draft):
    evil = '<script>alert("x")</script>'
    response = client.post(
        url("portal:claim_patent", draft),
        {
            "number": "HK1234567",
            "kind": "standard",
            "route": "O",
            "title_zh": evil,
            "title_en": evil,
            "grant_date": (today() - dt.timedelta(days=5)).isoformat(),
            "proprietors": draft.applicant.name,
            "continue": "",
        },
    )
    assert response.status_code == 302
    page = client.get(url("portal:claim_review", draft)).content.decode()
    assert evil not in page
    assert "&lt;script&gt;" in page


def test_future_grant_date_is_refused_and_nothing_stored(client, draft):
    response = client.post(
        url("portal:claim_patent", draft),
        {
            "number": "HK1234567",
            "kind": "standard",
            "route": "O",
            "title_zh": "装置",
            "grant_date": (today() + dt.timedelta(days=1)).isoformat(),
            "proprietors": draft.applicant.name,
        },
    )
    assert response.status_code == 200
    assert "grant_date" in response.context["form"].errors
    draft.refresh_from_db()
    assert draft.patent is None


def cost_post(amount, paid_on=None):
    return {
        "costs-TOTAL_FORMS": "1",
        "costs-INITIAL_FORMS": "0",
        "costs-MIN_NUM_FORMS": "1",
        "costs-MAX_NUM_FORMS": "1000",
        "costs-0-cost_type": "agency_fee",
        "costs-0-amount": amount,
        "costs-0-currency": "CNY",
        "costs-0-paid_on": (paid_on or today()).isoformat(),
        "costs-0-receipt_number": "R1",
        "continue": "",
    }


@pytest.mark.parametrize("amount", ["100.123", "-5.00", "0", "abc"])
def test_bad_amounts_are_refused_and_nothing_stored(client, draft, amount):
    response = client.post(url("portal:claim_costs", draft), cost_post(amount))
    assert response.status_code == 200
    assert response.context["formset"].forms[0].errors["amount"]
    assert not CostItem.objects.exists()


def test_future_payment_date_is_refused(client, draft):
    response = client.post(url("portal:claim_costs", draft), cost_post("10.00", today() + dt.timedelta(days=3)))
    assert response.context["formset"].forms[0].errors["paid_on"]


def test_good_costs_are_saved_and_lead_to_documents(client, draft):
    response = client.post(url("portal:claim_costs", draft), cost_post("1234.50"))
    assert response.headers["Location"] == url("portal:claim_documents", draft)
    assert CostItem.objects.get().amount == Decimal("1234.50")


def test_oversize_and_disguised_uploads_get_a_clear_error(client, draft, settings):
    settings.MAX_UPLOAD_BYTES = 1000
    big = SimpleUploadedFile("big.pdf", TINY_PDF + b"0" * 2000)
    response = client.post(url("portal:claim_documents", draft), {"doc_type": "fee_receipt", "file": big})
    assert "1000" in str(response.context["form"].errors["file"]) or "KB" in str(
        response.context["form"].errors["file"]
    )
    exe = SimpleUploadedFile("receipt.pdf", b"MZ\x90\x00" + b"\x00" * 100)
    response = client.post(url("portal:claim_documents", draft), {"doc_type": "fee_receipt", "file": exe})
    assert "PDF" in str(response.context["form"].errors["file"])
    assert not Document.objects.exists()


def test_submit_shows_every_reason_it_is_blocked(client, draft):
    response = client.post(url("portal:claim_review", draft))
    assert response.status_code == 200
    codes = {f.code for f in response.context["failures"]}
    assert {"patent_is_standard", "costs_are_eligible", "required_documents_uploaded"} <= codes
    draft.refresh_from_db()
    assert draft.status == ApplicationStatus.DRAFT


def test_submit_then_receipt(client):
    application = ApplicationFactory()
    client.force_login(application.created_by)
    response = client.post(url("portal:claim_review", application), follow=True)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.reference in response.content.decode()


def test_second_claim_for_same_patent_gets_a_friendly_message(client):
    first = submitted_application()
    second = ApplicationFactory()
    second.patent.number = first.patent.number
    second.patent.save()
    client.force_login(second.created_by)
    response = client.post(url("portal:claim_review", second))
    assert "patent_not_claimed_before" in {f.code for f in response.context["failures"]}


def test_withdraw_from_the_portal(client):
    application = submitted_application()
    client.force_login(application.created_by)
    response = client.post(url("portal:application_withdraw", application), {"comment": "changed our mind"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WITHDRAWN


def test_submitted_claim_steps_redirect_with_a_message(client):
    application = submitted_application()
    client.force_login(application.created_by)
    response = client.get(url("portal:claim_patent", application))
    assert response.status_code == 302
    assert response.headers["Location"] == url("portal:application_detail", application)


# Who may see what -------------------------------------------------------------

OWN_PAGES = [step.url_name for step in CLAIM_STEPS] + ["portal:application_detail", "portal:application_withdraw"]


@pytest.mark.parametrize("name", OWN_PAGES)
def test_another_applicant_gets_404_for_every_page(client, name):
    application = ApplicationFactory()
    client.force_login(UserFactory())
    assert client.get(url(name, application)).status_code == 404


def test_another_applicant_gets_404_for_documents_and_owner_gets_attachment(client):
    application = submitted_application()
    document = application.documents.first()
    link = url("portal:document_download", application, document_pk=document.pk)
    client.force_login(UserFactory())
    assert client.get(link).status_code == 404
    client.force_login(application.created_by)
    response = client.get(link)
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == TINY_PDF


def test_anonymous_users_are_sent_to_sign_in(client):
    application = ApplicationFactory(complete=False)
    response = client.get(url("portal:claim_patent", application))
    assert response.status_code == 302
    assert response.headers["Location"].startswith(reverse("login"))


def test_applicants_cannot_open_staff_pages(client):
    application = submitted_application()
    client.force_login(application.created_by)
    assert client.get(reverse("staff:application_list")).status_code == 403
    assert client.get(reverse("staff:application_detail", kwargs={"pk": application.pk})).status_code == 403


def test_my_applications_lists_only_mine_with_constant_queries(client, django_assert_num_queries):
    mine = [submitted_application() for _ in range(3)]
    owner = mine[0].created_by
    for other in mine[1:]:
        other.applicant.access.create(user=owner, role="agent")
    ApplicationFactory()  # someone else's
    client.force_login(owner)
    with django_assert_num_queries(3):  # session, user, applications (joined): not one per row
        response = client.get(reverse("portal:application_list"))
    assert {a.pk for a in response.context["applications"]} == {a.pk for a in mine}


def test_new_claim_for_own_applicant_only(client):
    application = ApplicationFactory(complete=False)
    funding_round = FundingRoundFactory()
    stranger_applicant = ApplicationFactory(complete=False).applicant
    client.force_login(application.created_by)
    response = client.post(
        reverse("portal:application_new"), {"applicant": stranger_applicant.pk, "funding_round": funding_round.pk}
    )
    assert response.status_code == 200
    assert "applicant" in response.context["form"].errors
    assert Application.objects.count() == 2


def test_applicant_timeline_hides_internal_notes(client):
    from subsidy.services import reviews
    from tests.factories import awaiting_decision, cleared_approver

    application, _ = awaiting_decision()
    reviews.application_reject(application=application, by=cleared_approver(application), reason="Not the proprietor.")
    client.force_login(application.created_by)
    response = client.get(url("portal:application_detail", application))
    actions = [e.action for e in response.context["history"]]
    assert actions == ["submit", "start_review", "reject"]
    page = response.content.decode()
    assert "Not the proprietor." in page
    assert "conflict" not in page.lower()


def test_public_notice_lists_approvals_in_notice_with_nothing_personal(client, django_assert_num_queries):
    from subsidy.services import reviews
    from tests.factories import awaiting_decision, cleared_approver

    approved = []
    for _ in range(3):
        application, _ = awaiting_decision()
        approved.append(reviews.application_approve(application=application, by=cleared_approver(application)))
    ended = approved[-1]
    update_claim(ended, notice_ends_on=today() - dt.timedelta(days=1))
    with django_assert_num_queries(1):
        response = client.get(reverse("public_notice"))
    page = response.content.decode()
    assert response.status_code == 200
    for application in approved[:2]:
        assert application.applicant.name in page
        assert application.patent.number in page
    assert ended.patent.number not in page
    assert approved[0].applicant.uscc not in page
    assert approved[0].reference not in page
    assert approved[0].applicant.bank_account_number not in page


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example/"])
def test_after_a_new_profile_next_never_leaves_the_site(client, target):
    client.force_login(UserFactory())
    response = client.post(f"{reverse('portal:applicant_create')}?next={target}", applicant_post())
    assert response.status_code == 302
    assert response.headers["Location"] == reverse("portal:application_new")


def test_after_a_new_profile_next_on_this_site_is_followed(client):
    client.force_login(UserFactory())
    response = client.post(f"{reverse('portal:applicant_create')}?next=/portal/applications/", applicant_post())
    assert response.headers["Location"] == "/portal/applications/"


def test_an_applicant_chooses_traditional_chinese_letters(client):
    client.force_login(UserFactory())
    assert 'value="zh-hans"' in client.get(reverse("portal:applicant_create")).content.decode()
    client.post(reverse("portal:applicant_create"), applicant_post(letter_chinese="zh-hant"))
    assert Applicant.objects.get().letter_chinese == LetterChinese.TRADITIONAL
    response = client.post(reverse("portal:applicant_create"), applicant_post(letter_chinese="ja"))
    assert "letter_chinese" in response.context["form"].errors


def test_more_cost_items_than_the_limit_is_an_error_on_the_form(client, draft, settings):
    settings.MAX_COST_ITEMS_PER_CLAIM = 1
    data = cost_post("10.00")
    data["costs-TOTAL_FORMS"] = "2"
    for key in [k for k in data if k.startswith("costs-0-")]:
        data[key.replace("costs-0-", "costs-1-")] = data[key]
    response = client.post(url("portal:claim_costs", draft), data)
    assert response.status_code == 200
    assert "1" in str(response.context["formset"].non_form_errors())
    assert not CostItem.objects.exists()
