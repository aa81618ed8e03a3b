"""Identifiers pasted from a document with spaces or in lower case: every identifier
field reads them the way its validator does first, and checks the stored length after,
counting the characters that would be stored."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone, translation

from forms.applicants import ApplicantForm, IdentityClaimForm
from forms.claims import PatentForm
from forms.fields import IdentifierField
from subsidy import identifiers
from tests.identifiers import valid_resident_id, valid_uscc

USCC = valid_uscc("440604", "MA4W1X2Y3")


def spaced(code: str, group: int = 4) -> str:
    """A number as printed on a licence and pasted: in groups, with spaces around."""
    return "  " + " ".join(code[i : i + group] for i in range(0, len(code), group)) + " "


def applicant_data(**overrides: str) -> dict[str, str]:
    data = {
        "kind": "organisation",
        "name": "佛山市禅城新材料有限公司",
        "name_en": "",
        "uscc": USCC,
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


def patent_data(**overrides: str) -> dict[str, str]:
    data = {
        "number": "HK1234567",
        "kind": "standard",
        "route": "O",
        "title_zh": "一种装置",
        "grant_date": (timezone.localdate() - dt.timedelta(days=30)).isoformat(),
        "proprietors": "佛山市禅城新材料有限公司",
    }
    data.update(overrides)
    return data


def test_every_identifier_field_is_an_identifier_field_without_a_maxlength_that_cuts_a_paste():
    forms = [ApplicantForm(), PatentForm(), PatentForm(offices=["US", "EP"]), IdentityClaimForm()]
    names = list(identifiers.IDENTIFIER_INPUT)
    found = [(form, name) for form in forms for name in names if name in form.fields]
    assert {name for _form, name in found} == set(names)
    for form, name in found:
        assert isinstance(form.fields[name], IdentifierField), name
        assert "maxlength" not in str(form[name]), name


@pytest.mark.django_db
def test_a_uscc_pasted_with_spaces_and_in_lower_case_is_accepted_as_the_code():
    pasted = spaced(USCC).lower()
    assert len(pasted) > 18
    form = ApplicantForm(applicant_data(uscc=pasted))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["uscc"] == USCC


@pytest.mark.django_db
def test_bank_details_and_phone_pasted_with_spaces_are_accepted():
    form = ApplicantForm(
        applicant_data(
            bank_account_number=spaced("6217857000012345678") + "   ",
            cnaps_code=spaced("104581003012", 3),
            phone=" +86  138   0013   8000       ",
        )
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["bank_account_number"] == "6217857000012345678"
    assert form.cleaned_data["cnaps_code"] == "104581003012"
    assert form.instance.phone == "13800138000"


@pytest.mark.django_db
def test_an_identity_number_pasted_with_spaces_and_in_lower_case_is_accepted():
    # One that ends in the check character X, typed in lower case.
    number = next(
        candidate
        for serial in range(100, 1000)
        if (candidate := valid_resident_id("440604", "19860315", str(serial))).endswith("X")
    )
    form = ApplicantForm(
        applicant_data(
            kind="individual", uscc="", id_kind="resident_id", id_number=spaced(number.lower(), 6), name_en=""
        )
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["id_number"] == number


# The last as typed with a Chinese input method: full-width letters, digits and space.
FULL_WIDTH_HK = "\uff28\uff2b\uff11\uff12\uff13\uff14\uff15\uff16\uff17\u3000\uff22"


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["  hk   1234567    b  ", "hk 1234567 b", FULL_WIDTH_HK])
def test_a_patent_number_with_spaces_and_in_lower_case_is_accepted(typed):
    form = PatentForm(patent_data(number=typed))
    assert form.is_valid(), form.errors
    assert form.instance.number == "HK1234567 B"


@pytest.mark.django_db
def test_a_patent_number_keeps_its_parts_apart_so_a_stray_digit_is_refused():
    form = PatentForm(patent_data(number="HK1234567   1"))
    assert not form.is_valid()
    assert [error.code for error in form.errors.as_data()["number"]] == ["hk_number_format"]


@pytest.mark.django_db
def test_too_long_after_cleaning_is_refused_counting_the_cleaned_characters():
    pasted = spaced(USCC + "1")  # 19 characters once the spaces are gone, 26 as typed
    assert len(pasted) == 26
    with translation.override("en"):
        form = ApplicantForm(applicant_data(uscc=pasted))
        assert not form.is_valid()
        errors = form.errors.as_data()["uscc"]
        assert [error.code for error in errors] == ["identifier_length"]
        message = form.errors["uscc"][0]
    assert "18" in message and "19" in message and "26" not in message


@pytest.mark.django_db
def test_the_length_error_is_in_the_users_language():
    with translation.override("zh-hans"):
        form = ApplicantForm(applicant_data(cnaps_code=spaced("1045810030121")))
        assert not form.is_valid()
        expected = translation.gettext(
            "Enter at most %(max)d characters (extra spaces are not counted); %(count)d were entered."
        ) % {"max": 12, "count": 13}
        assert [str(error) for error in form.errors["cnaps_code"]] == [expected]
    assert any("\u4e00" <= char <= "\u9fff" for char in expected)  # the catalogue has it


def test_the_identity_claim_number_is_read_without_spaces():
    form = IdentityClaimForm({"number": spaced(USCC).lower(), "note": ""})
    form.is_valid()
    assert form.cleaned_data["number"] == USCC
    too_long = IdentityClaimForm({"number": spaced(USCC + "12"), "note": ""})
    assert not too_long.is_valid()
    assert "20" in too_long.errors["number"][0]


def test_an_empty_optional_identifier_stays_empty():
    field = IdentifierField(normalise=identifiers.compact_code, max_length=18, required=False)
    assert field.clean("   ") == ""
    assert field.clean("ab-cd ef") == "ABCDEF"
