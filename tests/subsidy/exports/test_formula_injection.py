"""No export writes a cell a spreadsheet would run: payee and bank names that start
like a formula come out as text in the CSV and the XLSX, read back with csv and
openpyxl; numbers stay numbers; account numbers keep every digit."""

import csv
import io
from decimal import Decimal

import pytest
from lxml import etree
from openpyxl import load_workbook

from subsidy.exports.cells import digits_as_text, needs_quoting, safe_text
from subsidy.exports.pain001 import NS
from subsidy.models import BatchLine, Role
from subsidy.services import batches
from tests.factories import ApplicantFactory, finance_staff, payable_application
from tests.subsidy.exports.hostile import HOSTILE, starts_safely

pytestmark = pytest.mark.django_db

LONG_ACCOUNT = "6222021234567890123456"  # 22 digits: 6.22202E+21 if Excel took it for a number
CNAPS_WITH_ZERO = "001100000011"


@pytest.mark.parametrize("value", HOSTILE)
def test_every_hostile_value_gets_an_apostrophe_and_keeps_its_text(value):
    assert needs_quoting(value)
    assert safe_text(value) == "'" + value
    assert safe_text(safe_text(value)) == safe_text(value)  # made safe once, whatever happens


ORDINARY = ["黄喆", "广州某某科技有限公司", "GDHK-2026-000123", "100.00", "O'Brien", "", "a=1", "(1)"]
ORDINARY += ["中国银行 - 天河支行"]


@pytest.mark.parametrize("value", ORDINARY)
def test_ordinary_text_is_left_alone(value):
    assert safe_text(value) == value


def test_digits_as_text_only_for_ascii_digits():
    assert digits_as_text(LONG_ACCOUNT) == "\t" + LONG_ACCOUNT
    assert digits_as_text("=1+1") == "'=1+1"
    assert digits_as_text("\u0661\u0662\u0663") == "\u0661\u0662\u0663"  # not ASCII digits: as text, untouched


@pytest.fixture
def officer():
    return finance_staff(Role.FINANCE_OFFICER)


@pytest.fixture
def hostile_batch(officer, settings):
    """A released batch with a hostile value in every text column of some line."""
    settings.SUBSIDY_PAYMENT_PURPOSE = '=HYPERLINK("http://evil.example")'
    for index in range(len(HOSTILE)):
        account = LONG_ACCOUNT if index == 0 else f"62220212345678{index:05d}"
        payable_application(applicant=ApplicantFactory(bank_account_number=account), amount=Decimal("1234.50"))
    batch = batches.batch_create(by=officer)
    batches.batch_submit(batch=batch, by=officer)
    batch = batches.batch_release(batch=batch, by=finance_staff(Role.FINANCE_APPROVER))
    for line, value in zip(batch.lines.order_by("sequence"), HOSTILE, strict=True):
        # As frozen at release: whatever the profile pages let through.
        BatchLine.objects.filter(pk=line.pk).update(
            payee_name=value, bank_name=value, letter_reference=value[:40], cnaps_code=CNAPS_WITH_ZERO
        )
    return batch


def export(batch, fmt, by):
    exported = batches.batch_export(batch=batch, export_format=fmt, by=by)
    with exported.file as handle:
        return handle.read()


def test_csv_cells_are_never_formulas(hostile_batch, officer):
    rows = list(csv.reader(io.StringIO(export(hostile_batch, "csv", officer).decode("utf-8-sig"), newline="")))
    body = rows[1:]
    assert len(body) == len(HOSTILE)
    for row, value in zip(body, HOSTILE, strict=True):
        assert all(starts_safely(cell) for cell in row), row
        assert row[1] == row[3] == "'" + value  # payee and bank: the text, as text
        assert row[6] == '\'=HYPERLINK("http://evil.example")'
        int(row[0])  # sequence: a number
        assert Decimal(row[5]) == Decimal("1234.50")  # amount: a number
    # Account and CNAPS code: a tab, then every digit (Excel keeps it as text).
    assert body[0][2] == "\t" + LONG_ACCOUNT
    assert body[0][4] == "\t" + CNAPS_WITH_ZERO
    assert body[0][2].strip() == LONG_ACCOUNT


def test_the_csv_bytes_hold_the_account_as_tab_and_digits(hostile_batch, officer):
    """What Excel reads: the raw field is a tab followed by the digits, not `="..."`
    (a formula) and not a bare number."""
    data = export(hostile_batch, "csv", officer)
    assert f",\t{LONG_ACCOUNT},".encode() in data
    assert b',="' not in data and b'\n="' not in data


def test_xlsx_cells_are_strings_or_numbers_never_formulas(hostile_batch, officer):
    sheet = load_workbook(io.BytesIO(export(hostile_batch, "xlsx", officer))).active
    rows = list(sheet.iter_rows())
    for row in rows:
        for cell in row:
            assert cell.data_type != "f", cell.coordinate
            if isinstance(cell.value, str):
                assert cell.data_type == "s", cell.coordinate
                assert starts_safely(cell.value), (cell.coordinate, cell.value)
    for row, value in zip(rows[1:-1], HOSTILE, strict=True):
        assert row[1].value == row[3].value == "'" + value
        assert row[0].data_type == "n" and row[5].data_type == "n"
        assert row[5].value == pytest.approx(1234.5)
    # Account numbers: exact digits, as text.
    assert rows[1][2].value == LONG_ACCOUNT and rows[1][2].data_type == "s"
    assert rows[1][4].value == CNAPS_WITH_ZERO
    assert rows[-1][5].data_type == "n"  # the literal total


def test_pain001_keeps_names_and_digits_exactly(hostile_batch, officer):
    """XML is not a spreadsheet: the bank gets the names as they are, and every digit."""
    root = etree.fromstring(export(hostile_batch, "pain001", officer))
    accounts = [tx.findtext(f"{NS}CdtrAcct/{NS}Id/{NS}Othr/{NS}Id") for tx in root.iter(f"{NS}CdtTrfTxInf")]
    assert accounts[0] == LONG_ACCOUNT
    names = [tx.findtext(f"{NS}Cdtr/{NS}Nm") for tx in root.iter(f"{NS}CdtTrfTxInf")]
    assert names[0] == "=1+1" and names[1] == "+cmd|' /C calc'!A0"


def test_a_name_with_control_characters_refuses_the_xlsx_with_a_message(hostile_batch, officer):
    line = hostile_batch.lines.order_by("sequence").first()
    BatchLine.objects.filter(pk=line.pk).update(payee_name="黄\x01喆")
    with pytest.raises(batches.ExportRefused, match="control characters"):
        batches.batch_export(batch=hostile_batch, export_format="xlsx", by=officer)
