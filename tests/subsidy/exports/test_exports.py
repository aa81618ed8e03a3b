"""Bank files of a released batch: columns, encoding, reproducibility, checks before download."""

import csv
import datetime as dt
import hashlib
import io
from decimal import Decimal

import pytest
from lxml import etree
from openpyxl import load_workbook

from subsidy.exports.pain001 import NS, validate_pain001
from subsidy.exports.rows import ExportInvalid
from subsidy.models import ApplicantKind, Batch, BatchExport, BatchStatus, Role
from subsidy.services import batches
from tests.factories import ApplicantFactory, IndividualApplicantFactory, finance_staff, payable_application

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer():
    return finance_staff(Role.FINANCE_OFFICER)


@pytest.fixture
def batch(officer):
    """A realistic released batch: organisations and a person, amounts with cents."""
    for index, amount in enumerate(["10000.00", "4321.05", "0.01", "9999.99", "1234.50"]):
        applicant = (
            IndividualApplicantFactory(bank_account_name="黄喆", bank_name="招商银行佛山分行")
            if index == 2
            else ApplicantFactory()
        )
        payable_application(applicant=applicant, amount=Decimal(amount))
    built = batches.batch_create(by=officer)
    batches.batch_submit(batch=built, by=officer)
    return batches.batch_release(batch=built, by=finance_staff(Role.FINANCE_APPROVER))


def export(batch, fmt, by):
    exported = batches.batch_export(batch=batch, export_format=fmt, by=by)
    with exported.file as handle:
        return exported, handle.read()


def test_csv_has_bom_columns_and_two_decimal_amounts(batch, officer):
    exported, data = export(batch, "csv", officer)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == [
        "序号",
        "收款人户名",
        "收款账号",
        "开户银行",
        "联行号(CNAPS)",
        "金额(元)",
        "用途",
        "资助通知书编号",
        "申请编号",
    ]
    lines = list(batch.lines.order_by("sequence"))
    assert [r[0] for r in rows[1:]] == [str(line.sequence) for line in lines]
    assert [r[5] for r in rows[1:]] == [f"{line.amount:.2f}" for line in lines]
    assert "0.01" in [r[5] for r in rows[1:]]
    assert "黄喆" in [r[1] for r in rows[1:]]
    # Account numbers and CNAPS codes lead with a tab so that Excel keeps every digit
    # (subsidy.exports.cells.digits_as_text); the digits themselves are exact.
    assert rows[1][2] == "\t" + lines[0].account_number and rows[1][8] == lines[0].application_reference
    assert rows[1][4] == "\t" + lines[0].cnaps_code
    assert exported.sha256 == hashlib.sha256(data).hexdigest()
    assert exported.filename == f"{batch.reference}.csv"


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "pain001"])
def test_the_same_batch_exports_the_same_bytes(batch, officer, fmt):
    first, data = export(batch, fmt, officer)
    second, again = export(batch, fmt, officer)
    assert data == again
    assert first.sha256 == second.sha256
    assert BatchExport.objects.filter(batch=batch, export_format=fmt).count() == 2
    assert Batch.objects.get(pk=batch.pk).status == BatchStatus.EXPORTED


def test_xlsx_has_the_columns_a_totals_row_and_number_formats(batch, officer, tmp_path):
    _exported, data = export(batch, "xlsx", officer)
    sheet = load_workbook(io.BytesIO(data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][1] == "收款人户名"
    assert len(rows) == 1 + 5 + 1
    assert rows[-1][5] == pytest.approx(float(batch.total_amount))
    assert "5" in rows[-1][1]
    assert sheet["F2"].number_format == "#,##0.00"
    assert isinstance(sheet["C2"].value, str)  # account numbers stay text


def test_pain001_of_a_realistic_batch_is_valid_and_adds_up(batch, officer, tmp_path):
    _exported, data = export(batch, "pain001", officer)
    path = tmp_path / "batch.xml"
    path.write_bytes(data)
    validate_pain001(path)  # XSD and business checks
    root = etree.fromstring(data)
    assert root.findtext(f".//{NS}GrpHdr/{NS}MsgId") == batch.reference
    assert root.findtext(f".//{NS}GrpHdr/{NS}NbOfTxs") == "5"
    assert root.findtext(f".//{NS}GrpHdr/{NS}CtrlSum") == f"{batch.total_amount:.2f}"
    assert len(root.findall(f".//{NS}PmtInf")) == 1
    tx = root.find(f".//{NS}CdtTrfTxInf")
    line = batch.lines.order_by("sequence").first()
    assert tx.findtext(f"{NS}PmtId/{NS}EndToEndId") == line.application_reference
    amount = tx.find(f"{NS}Amt/{NS}InstdAmt")
    assert (amount.get("Ccy"), amount.text) == ("CNY", f"{line.amount:.2f}")
    assert tx.findtext(f"{NS}CdtrAcct/{NS}Id/{NS}Othr/{NS}Id") == line.account_number
    assert tx.findtext(f"{NS}CdtrAgt/{NS}FinInstnId/{NS}ClrSysMmbId/{NS}ClrSysId/{NS}Cd") == "CNAPS"
    assert tx.findtext(f"{NS}CdtrAgt/{NS}FinInstnId/{NS}ClrSysMmbId/{NS}MmbId") == line.cnaps_code


def corrupt(data, old, new, count=1):
    assert old in data
    return data.replace(old, new, count)


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ("control_sum", "Control sum"),
        ("count", "Number of transactions"),
        ("three_decimals", "two decimals"),
        ("duplicate", "Duplicate end-to-end id"),
        ("not_xsd", "Not valid pain.001.001.09"),
        ("currency", "not valid"),
    ],
)
def test_validation_catches_a_corrupted_file(batch, officer, tmp_path, change, problem):
    _exported, data = export(batch, "pain001", officer)
    total = f"{batch.total_amount:.2f}".encode()
    first_ref = batch.lines.order_by("sequence")[0].application_reference.encode()
    second_ref = batch.lines.order_by("sequence")[1].application_reference.encode()
    if change == "control_sum":
        data = corrupt(
            data, b"<CtrlSum>" + total, b"<CtrlSum>" + f"{batch.total_amount + Decimal('0.01'):.2f}".encode()
        )
    elif change == "count":
        data = corrupt(data, b"<NbOfTxs>5<", b"<NbOfTxs>6<")
    elif change == "three_decimals":
        data = corrupt(data, b'Ccy="CNY">10000.00<', b'Ccy="CNY">10000.000<')
    elif change == "duplicate":
        data = corrupt(data, b"<EndToEndId>" + second_ref, b"<EndToEndId>" + first_ref)
    elif change == "not_xsd":
        data = corrupt(data, b"<PmtMtd>TRF</PmtMtd>", b"<PmtMtd>WIRE</PmtMtd>")
    elif change == "currency":
        data = corrupt(data, b'Ccy="CNY"', b'Ccy="cny"')
    path = tmp_path / "corrupt.xml"
    path.write_bytes(data)
    with pytest.raises(ExportInvalid) as caught:
        validate_pain001(path)
    assert problem.lower() in str(caught.value).lower()


def test_a_control_sum_off_by_a_cent_is_refused_before_download(batch, officer):
    Batch.objects.filter(pk=batch.pk).update(total_amount=batch.total_amount + Decimal("0.01"))
    with pytest.raises(batches.ExportRefused) as caught:
        batches.batch_export(batch=batch, export_format="pain001", by=officer)
    assert any("control sum" in p for p in caught.value.problems)
    assert not BatchExport.objects.exists()
    assert Batch.objects.get(pk=batch.pk).status == BatchStatus.RELEASED


def test_an_unreleased_batch_cannot_be_exported(officer):
    payable_application()
    draft = batches.batch_create(by=officer)
    with pytest.raises(batches.InvalidState):
        batches.batch_export(batch=draft, export_format="csv", by=officer)


def test_export_of_an_individual_keeps_the_name_in_chinese(batch, officer):
    assert batch.lines.filter(application__applicant__kind=ApplicantKind.INDIVIDUAL).exists()
    _exported, data = export(batch, "pain001", officer)
    assert "<Nm>黄喆</Nm>" in data.decode()


def test_export_reads_lines_in_a_constant_number_of_queries(batch, officer, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        batches.batch_export(batch=batch, export_format="csv", by=officer).file.close()


def test_csv_rows_are_the_same_on_databases_that_print_decimals_their_own_way(batch, monkeypatch):
    from django.db import connection

    from subsidy.exports.rows import batch_text_rows

    on_postgres = list(batch_text_rows(batch))
    monkeypatch.setattr(connection, "vendor", "sqlite")
    assert list(batch_text_rows(batch)) == on_postgres


def test_xlsx_says_it_was_modified_at_release_not_when_exported(batch, officer):
    import re
    import zipfile

    earlier = Batch.objects.get(pk=batch.pk).released_at - dt.timedelta(hours=3)
    Batch.objects.filter(pk=batch.pk).update(released_at=earlier)  # so that "now" would differ
    _exported, data = export(batch, "xlsx", officer)
    core = zipfile.ZipFile(io.BytesIO(data)).read("docProps/core.xml").decode()
    released = Batch.objects.get(pk=batch.pk).released_at.astimezone(dt.UTC)
    assert re.search(r"<dcterms:modified[^>]*>([^<]*)</dcterms:modified>", core).group(1) == released.strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
