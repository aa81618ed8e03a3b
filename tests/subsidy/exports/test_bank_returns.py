"""The bank's return file: every form it may take (pain.002 at transaction, payment-block
and group level; CSV; XLSX) and a corpus of files that must be refused whole, with a
clear message and nothing changed."""

import csv
import datetime as dt
import io
import re
import zipfile
from decimal import Decimal

import pytest
from django.utils import translation
from openpyxl import Workbook

from subsidy import selectors
from subsidy.models import (
    Application,
    ApplicationStatus,
    AuditEntry,
    BankReturn,
    Batch,
    BatchLine,
    BatchStatus,
    LineStatus,
    Role,
)
from subsidy.services import batches
from tests.bad_files import bad_files as shared_bad_files
from tests.factories import finance_staff, payable_application, today
from tests.subsidy.exports.bank_files import craft_pain002, craft_status_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer():
    return finance_staff(Role.FINANCE_OFFICER)


@pytest.fixture
def exported(officer):
    """An exported batch of three claims."""
    for _ in range(3):
        payable_application()
    batch = batches.batch_create(by=officer)
    batches.batch_submit(batch=batch, by=officer)
    batch = batches.batch_release(batch=batch, by=finance_staff(Role.FINANCE_APPROVER))
    batches.batch_export(batch=batch, export_format="csv", by=officer).file.close()
    return Batch.objects.get(pk=batch.pk)


def refs(batch):
    return list(batch.lines.order_by("sequence").values_list("application_reference", flat=True))


def export_bytes(batch, fmt, by):
    exported = batches.batch_export(batch=batch, export_format=fmt, by=by)
    with exported.file as handle:
        return handle.read()


def xlsx(rows):
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def state(batch):
    return (
        Batch.objects.get(pk=batch.pk).status,
        sorted(BatchLine.objects.filter(batch=batch).values_list("status", flat=True)),
        sorted(Application.objects.values_list("status", flat=True)),
        BankReturn.objects.count(),
        AuditEntry.objects.count(),
    )


# --------------------------------------------------------------------------
# Files that must be refused whole
# --------------------------------------------------------------------------


def zip_bomb():
    """A workbook-looking zip whose one sheet unpacks to 300 MB of zeros (about 300 KB)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            block = b"0" * (1 << 20)
            for _ in range(300):
                sheet.write(block)
    return out.getvalue()


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.12">&lol2;</Document>"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.12">&x;</Document>"""


def bad_files(batch, officer):
    """(name, bytes, words the message must contain)."""
    first = refs(batch)[0]
    report = craft_pain002(batch.reference, [(first, Decimal("4000.00"), "ACSC")], on=today())
    good_xlsx = xlsx([["reference", "status"], [first, "paid"]])
    released = today()
    return [
        ("binary", bytes(range(256)) * 4, ""),
        ("png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 40, ""),
        ("pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n\x00", ""),
        ("empty", b"", "empty"),
        ("blank", b"\xef\xbb\xbf \r\n\r\n", "empty"),
        ("header only", b"reference,status,bank_reference,reason\r\n", "no payment lines"),
        ("truncated pain.002", report[: len(report) // 2], "XML"),
        ("truncated xlsx", good_xlsx[: len(good_xlsx) // 2], "XLSX"),
        ("old xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, ".xls"),
        ("utf-16", f"{first},paid,B1,\r\n".encode("utf-16"), "UTF-16"),
        ("neither utf-8 nor gb18030", f"{first},paid,B1,".encode() + b"\x80\x80\xff\xfe\xfd", "GB18030"),
        ("control characters", f"{first},paid,B1\x07,\r\n".encode(), ""),
        ("huge line", f"{first},paid,".encode() + b"A" * 200_000 + b"\r\n", "Line 1"),
        ("one column", f"{first}\r\n".encode(), "2 to 6 columns"),
        ("nine columns", f"{first},paid,B1,,4000.00,{released},x,y,z\r\n".encode(), "2 to 6 columns"),
        ("our own CSV export", export_bytes(batch, "csv", officer), "export"),
        ("our own XLSX export", export_bytes(batch, "xlsx", officer), "export"),
        ("our own pain.001", export_bytes(batch, "pain001", officer), "pain.002"),
        ("zip bomb", zip_bomb(), "200 MB"),
        ("a docx", _docx(), ""),
        ("billion laughs", BILLION_LAUGHS, "DOCTYPE"),
        ("external entity", EXTERNAL_ENTITY, "DOCTYPE"),
        ("not pain.002 XML", b"<Document><Nope/></Document>", "pain.002"),
        ("amount sNaN", f"{first},paid,B1,,sNaN\r\n".encode(), "amount"),
        ("amount NaN", f"{first},paid,B1,,NaN\r\n".encode(), "amount"),
        ("amount Infinity", f"{first},paid,B1,,Infinity\r\n".encode(), "amount"),
        ("amount negative", f"{first},paid,B1,,-4000.00\r\n".encode(), "amount"),
        ("amount exponent", f"{first},paid,B1,,4E3\r\n".encode(), "amount"),
        ("amount three decimals", f"{first},paid,B1,,4000.001\r\n".encode(), "amount"),
        ("amount Arabic-Indic", f"{first},paid,B1,,\u0664\u0660\u0660\u0660.\u0660\u0660\r\n".encode(), "amount"),
        ("amount full-width digits", f"{first},paid,B1,,\uff14\uff10\uff10\uff10.\uff10\uff10\r\n".encode(), "amount"),
        ("date 0001-01-01", f"{first},paid,B1,,4000.00,0001-01-01\r\n".encode(), "0001-01-01"),
        ("date 9999-12-31", f"{first},paid,B1,,4000.00,9999-12-31\r\n".encode(), "9999-12-31"),
        ("date not a date", f"{first},paid,B1,,4000.00,2026-02-30\r\n".encode(), "date"),
        ("xlsx with a bad amount", xlsx([[first, "paid", "B1", "", "NaN"]]), "amount"),
        ("xlsx with a date long ago", xlsx([[first, "paid", "B1", "", 4000, "0001-01-01"]]), "0001-01-01"),
        (
            "pain.002 paid in 9999",
            craft_pain002(batch.reference, [(first, Decimal("4000.00"), "ACSC")], on=dt.date(9999, 12, 31)),
            "9999-12-31",
        ),
        (
            "pain.002 with five decimals",
            report.replace(b">4000.00<", b">4000.00001<"),
            "amount",
        ),
    ]


def _docx():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return out.getvalue()


def test_every_bad_file_is_refused_whole_with_a_clear_message(exported, officer):
    corpus = bad_files(exported, officer)
    before = state(exported)
    for name, data, words in corpus:
        with pytest.raises(batches.ReturnFileUnreadable) as refused:
            batches.batch_import_return(batch=exported, data=data, filename=name, by=officer)
        message = str(refused.value.message)
        assert message.startswith("The return file cannot be read:"), (name, message)
        assert words in message, (name, message)
        assert state(exported) == before, name


def test_the_shared_bad_file_corpus_is_refused_in_the_readers_language(exported, officer):
    """The corpus every file import is fed (tests/bad_files.py), read in Chinese."""
    before = state(exported)
    for name, data in shared_bad_files():
        with translation.override("zh-hans"):
            with pytest.raises(batches.ReturnFileUnreadable) as refused:
                batches.batch_import_return(batch=exported, data=data, filename=name, by=officer)
            message = str(refused.value.message)
        assert re.search(r"[\u4e00-\u9fff]", message), (name, message)
        assert state(exported) == before, name


# --------------------------------------------------------------------------
# Files that are read
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "encode"),
    [
        ("utf-8 with BOM", lambda text: b"\xef\xbb\xbf" + text.encode()),
        ("utf-8 without BOM", lambda text: text.encode()),
        ("gb18030", lambda text: text.encode("gb18030")),
    ],
)
def test_csv_in_each_accepted_encoding(exported, officer, name, encode):
    paid, failed, _ = refs(exported)
    text = f"申请编号,状态,银行流水号,原因\r\n{paid},成功,B1,\r\n{failed},失败,,账户已销户\r\n"
    result = batches.batch_import_return(batch=exported, data=encode(text), filename=name, by=officer)
    assert (result.paid, result.failed) == (1, 1)
    assert BatchLine.objects.get(application_reference=failed).failure_reason == "账户已销户"


def test_an_xlsx_return_with_the_csv_columns(exported, officer):
    paid, failed, later = refs(exported)
    data = xlsx(
        [
            ["reference", "status", "bank_reference", "reason", "amount", "paid_on"],
            [paid, "paid", "B1", None, 4000, dt.datetime.combine(today(), dt.time())],
            [failed, "rejected", None, "AC04 closed", 4000.0, None],
            [later, "pending"],
        ]
    )
    result = batches.batch_import_return(batch=exported, data=data, filename="return.xlsx", by=officer)
    assert (result.paid, result.failed) == (1, 1)
    assert [(r["reference"], r["problem"]) for r in result.reported] == [(later, "not_final")]
    assert result.bank_return.file_format == "xlsx"
    line = BatchLine.objects.get(application_reference=paid)
    assert (line.status, line.paid_on, line.bank_reference) == (LineStatus.PAID, today(), "B1")


def test_amounts_with_thousands_separators_and_payment_dates_in_the_window(exported, officer):
    first, second, _third = refs(exported)
    yesterday = today() - dt.timedelta(days=1)
    data = f'{first},paid,B1,,"4,000.00",{yesterday:%Y%m%d}\r\n{second},paid,B2,,4000,{today():%Y/%m/%d}\r\n'
    result = batches.batch_import_return(batch=exported, data=data.encode(), by=officer)
    assert result.paid == 2
    assert BatchLine.objects.get(application_reference=first).paid_on == yesterday


def test_the_date_window_is_the_day_before_release_to_three_days_ahead(exported, officer):
    first = refs(exported)[0]
    released = exported.released_at.date()
    for outside in (released - dt.timedelta(days=2), today() + dt.timedelta(days=4)):
        with pytest.raises(batches.ReturnFileUnreadable, match=str(outside)):
            batches.batch_import_return(batch=exported, data=f"{first},paid,B1,,4000.00,{outside}".encode(), by=officer)
    inside = today() + dt.timedelta(days=3)
    result = batches.batch_import_return(batch=exported, data=f"{first},paid,B1,,4000.00,{inside}".encode(), by=officer)
    assert result.paid == 1


# --------------------------------------------------------------------------
# pain.002 at group and payment-block level (ISO 20022)
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "kwargs"),
    [
        ("group", {"group_status": "RJCT", "reason_level": "group"}),
        ("payment block", {"block_status": "RJCT", "reason_level": "block"}),
        ("group, version .03", {"group_status": "RJCT", "reason_level": "group", "version": "03"}),
    ],
)
def test_a_file_refused_whole_fails_every_line_with_the_banks_reason(exported, officer, level, kwargs):
    report = craft_status_report(
        exported.reference,
        on=today(),
        reason=("FF01", "文件格式错误 invalid file format"),
        original_count=3,
        original_sum=exported.total_amount,
        **kwargs,
    )
    result = batches.batch_import_return(batch=exported, data=report, filename="sts.xml", by=officer)
    assert (result.paid, result.failed, result.reported) == (0, 3, [])
    assert set(BatchLine.objects.values_list("failure_reason", flat=True)) == {"FF01 文件格式错误 invalid file format"}
    assert set(Application.objects.values_list("status", flat=True)) == {ApplicationStatus.APPROVED}
    # Nothing pending: reconciled, and every claim ready for a new batch.
    assert Batch.objects.get(pk=exported.pk).status == BatchStatus.RECONCILED
    assert selectors.batch_candidates(today=today()).count() == 3
    again = batches.batch_create(by=officer)
    assert again.line_count == 3


def test_a_group_rejection_also_fails_the_lines_it_does_not_list(exported, officer):
    first, _second, _third = refs(exported)
    report = craft_status_report(
        exported.reference,
        on=today(),
        group_status="RJCT",
        reason=("AM04", "余额不足 insufficient funds"),
        transactions=[(first, Decimal("4000.00"), "RJCT")],
    )
    result = batches.batch_import_return(batch=exported, data=report, by=officer)
    assert result.failed == 3
    assert BatchLine.objects.get(application_reference=first).failure_reason.startswith("AC04")


def test_a_group_rejection_that_says_a_payment_was_settled_is_refused(exported, officer):
    first = refs(exported)[0]
    report = craft_status_report(
        exported.reference,
        on=today(),
        group_status="RJCT",
        per_status={"RJCT": 2, "ACSC": 1},
        transactions=[(first, Decimal("4000.00"), "ACSC")],
    )
    with pytest.raises(batches.ReturnFileUnreadable, match=first):
        batches.batch_import_return(batch=exported, data=report, by=officer)
    assert not BankReturn.objects.exists()


def test_a_partial_report_applies_the_listed_payments_and_reports_the_rest(exported, officer):
    first, second, third = refs(exported)
    report = craft_status_report(
        exported.reference,
        on=today(),
        group_status="PART",
        per_status={"ACSC": 2, "RJCT": 1},
        transactions=[(first, Decimal("4000.00"), "RJCT")],
    )
    result = batches.batch_import_return(batch=exported, data=report, by=officer)
    assert (result.paid, result.failed) == (0, 1)
    assert [(r["reference"], r["problem"], r["detail"]) for r in result.reported] == [
        (second, "no_status", "GrpSts PART"),
        (third, "no_status", "GrpSts PART"),
    ]
    assert BatchLine.objects.get(application_reference=second).status == LineStatus.PENDING
    assert Batch.objects.get(pk=exported.pk).status == BatchStatus.EXPORTED


def test_counts_per_status_that_contradict_the_listed_payments_are_refused(exported, officer):
    first, second, _third = refs(exported)
    report = craft_status_report(
        exported.reference,
        on=today(),
        group_status="PART",
        per_status={"ACSC": 2, "RJCT": 1},
        transactions=[(first, Decimal("4000.00"), "RJCT"), (second, Decimal("4000.00"), "RJCT")],
    )
    with pytest.raises(batches.ReturnFileUnreadable, match="NbOfTxsPerSts"):
        batches.batch_import_return(batch=exported, data=report, by=officer)


@pytest.mark.parametrize("status", ["ACSP", "ACTC", "PDNG", "ACCP", "RCVD"])
@pytest.mark.parametrize("level", ["group", "block"])
def test_accepted_not_settled_leaves_every_line_pending_and_says_so(exported, officer, status, level):
    kwargs = {"group_status": status} if level == "group" else {"block_status": status}
    report = craft_status_report(exported.reference, on=today(), **kwargs)
    result = batches.batch_import_return(batch=exported, data=report, by=officer)
    assert (result.paid, result.failed) == (0, 0)
    label = "GrpSts" if level == "group" else "PmtInfSts"
    assert [(r["problem"], r["detail"]) for r in result.reported] == [("not_final", f"{label} {status}")] * 3
    assert set(BatchLine.objects.values_list("status", flat=True)) == {LineStatus.PENDING}
    assert Batch.objects.get(pk=exported.pk).status == BatchStatus.EXPORTED


@pytest.mark.parametrize("status", ["ACSP", "ACTC", "PDNG", "ACCP"])
def test_accepted_not_settled_for_one_payment_is_reported_not_applied(exported, officer, status):
    first, second, _third = refs(exported)
    report = craft_pain002(
        exported.reference,
        [(first, Decimal("4000.00"), status), (second, Decimal("4000.00"), "ACSC")],
        on=today(),
    )
    result = batches.batch_import_return(batch=exported, data=report, by=officer)
    assert result.paid == 1
    assert [(r["reference"], r["problem"], r["detail"]) for r in result.reported] == [(first, "not_final", status)]


def test_settled_at_group_level_pays_every_line_when_count_and_sum_match(exported, officer):
    report = craft_status_report(
        exported.reference,
        on=today(),
        group_status="ACSC",
        original_count=3,
        original_sum=exported.total_amount,
    )
    result = batches.batch_import_return(batch=exported, data=report, by=officer)
    assert result.paid == 3
    assert set(BatchLine.objects.values_list("paid_on", flat=True)) == {today()}
    assert Batch.objects.get(pk=exported.pk).status == BatchStatus.RECONCILED


def test_counts_per_status_for_every_payment_count_as_a_group_status(exported, officer):
    report = craft_status_report(exported.reference, on=today(), per_status={"RJCT": 3}, reason=("FF01", "bad"))
    result = batches.batch_import_return(batch=exported, data=report, by=officer)
    assert result.failed == 3


def test_a_report_about_a_file_of_another_size_is_refused(exported, officer):
    report = craft_status_report(
        exported.reference, on=today(), group_status="ACSC", original_count=4, original_sum=Decimal("16000.00")
    )
    with pytest.raises(batches.ReturnFileUnreadable, match="4 payments"):
        batches.batch_import_return(batch=exported, data=report, by=officer)
    assert set(BatchLine.objects.values_list("status", flat=True)) == {LineStatus.PENDING}


def test_a_report_without_any_status_is_refused(exported, officer):
    report = craft_status_report(exported.reference, on=today())
    with pytest.raises(batches.ReturnFileUnreadable, match="no status"):
        batches.batch_import_return(batch=exported, data=report, by=officer)


def test_csv_reader_reads_what_csv_module_writes(exported, officer):
    """A bank's program quoting every field, with CRLF and a quoted comma in the reason."""
    first, second, _third = refs(exported)
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow([first, "paid", "B1", "", "4000.00", today().isoformat()])
    writer.writerow([second, "failed", "", "closed, moved away", "4000.00", ""])
    result = batches.batch_import_return(batch=exported, data=out.getvalue().encode(), by=officer)
    assert (result.paid, result.failed) == (1, 1)
    assert BatchLine.objects.get(application_reference=second).failure_reason == "closed, moved away"
