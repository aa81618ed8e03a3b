"""What a rendered letter contains, and what it looks like."""

import dataclasses
import io
import json
import re
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from fontTools import subset
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from devtools.glyph_check import REFERENCE_FONT, check_page, wrong_glyphs
from subsidy.letters.fonts import rename
from subsidy.letters.render import ATTACHMENT_NAME, render_letter
from subsidy.letters.samples import RARE_NAME_CHARACTERS, sample_letter
from subsidy.models import LetterKind

RARE_NAME = f"深圳市{RARE_NAME_CHARACTERS}科技有限公司"


@pytest.fixture(scope="module")
def approval():
    content = sample_letter(3, applicant_name=RARE_NAME, amount=Decimal("12345.67"))
    return content, render_letter(content)


def text_layer(pdf: bytes) -> str:
    result = subprocess.run(["/usr/bin/pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True)
    return re.sub(r"\s+", "", result.stdout.decode())


def test_text_layer_has_name_reference_patent_and_both_forms_of_the_amount(approval):
    content, pdf = approval
    text = text_layer(pdf)
    assert RARE_NAME in text
    assert content.reference in text
    assert content.patent_number.replace(" ", "") in text
    assert content.applicant_id in text
    assert "12,345.67" in text
    assert "人民币壹万贰仟叁佰肆拾伍元陆角柒分" in text
    assert "审核人Reviewer" in text and "审批人Approver" in text
    assert content.account_masked.replace(" ", "") in text
    # The full bank account number is never printed.
    assert "6222" not in text


def test_a_letter_is_one_a4_page_of_pdf_a_3u_with_its_case_data_attached(approval):
    content, pdf = approval
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    width, height = (float(v) for v in reader.pages[0].mediabox.upper_right)
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (210, 297)
    assert reader.metadata.title.startswith("资助批准通知书")
    assert reader.trailer["/Root"]["/Lang"] == "zh-Hans"
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="U"' in xmp
    attached = reader.attachments[ATTACHMENT_NAME][0]
    assert json.loads(attached)["reference"] == content.reference
    assert json.loads(attached)["amount"] == "12345.67"


def test_fonts_are_embedded_and_subset(approval):
    _, pdf = approval
    reader = PdfReader(io.BytesIO(pdf))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    assert fonts
    for font in fonts.values():
        font = font.get_object()
        descendant = font["/DescendantFonts"][0].get_object()
        assert re.match(r"^/[A-Z]{6}\+", font["/BaseFont"]), "subset fonts are named ABCDEF+Name"
        assert "/FontFile2" in descendant["/FontDescriptor"]
    assert len(pdf) < 60 * 1024


def test_the_same_content_renders_the_same_bytes(approval):
    content, pdf = approval
    assert render_letter(content) == pdf


def test_every_chinese_character_is_drawn_as_itself(approval):
    _, pdf = approval
    drawn = check_page(pdf)
    assert len(drawn) > 200
    assert [d for d in drawn if not d.correct] == []
    rare = [d for d in drawn if d.text in RARE_NAME_CHARACTERS]
    assert {d.text for d in rare} == set(RARE_NAME_CHARACTERS)


def test_rejection_letter_carries_the_reasons_and_no_amount():
    content = sample_letter(5, kind=LetterKind.REJECTION)
    pdf = render_letter(content)
    text = text_layer(pdf)
    assert "不予批准" in text
    assert "专利授权日期不在本批次资助范围内" in text
    assert "人民币" not in text
    assert wrong_glyphs(pdf) == []


@pytest.fixture(scope="module")
def swapped_font(tmp_path_factory) -> Path:
    """A font whose character map sends 堃 to the glyph of 燊 and back: it draws wrong
    glyphs while a PDF made with it still has the right text layer."""
    text = RARE_NAME + "审批人"
    font = TTFont(str(REFERENCE_FONT), fontNumber=0)
    options = subset.Options()
    options.name_IDs = ["*"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text)
    subsetter.subset(font)
    for table in font["cmap"].tables:
        if ord("堃") in table.cmap and ord("燊") in table.cmap:
            table.cmap[ord("堃")], table.cmap[ord("燊")] = table.cmap[ord("燊")], table.cmap[ord("堃")]
    rename(font, "Swapped Test")  # under the system face's name, fontconfig might use that one
    path = tmp_path_factory.mktemp("fonts") / "swapped.ttf"
    font.save(str(path))
    return path


def test_the_glyph_check_catches_wrong_glyphs_that_the_text_layer_hides(swapped_font):
    from weasyprint import HTML

    html = (
        f"<html><head><style>@font-face {{ font-family: Swapped; src: url({swapped_font.as_uri()}) }}"
        f"body {{ font-family: Swapped; font-size: 14pt }}</style></head>"
        f"<body><p>{RARE_NAME}</p><p>审批人{RARE_NAME_CHARACTERS}</p></body></html>"
    )
    pdf = HTML(string=html).write_pdf()
    assert RARE_NAME in text_layer(pdf)  # pdftotext is fooled
    wrong = {d.text for d in wrong_glyphs(pdf)}
    assert wrong == {"堃", "燊"}


def test_an_amount_limited_by_the_annual_cap_says_so_and_is_not_called_an_adjustment():
    from dataclasses import replace

    content = replace(sample_letter(4), annual_cap_limit=Decimal("2500.00"), amount=Decimal("2500.00"))
    text = text_layer(render_letter(content))
    assert "What remains of the applicant's annual cap".replace(" ", "") in text
    assert "Adjustedonreview" not in text
    assert "人民币贰仟伍佰元整" in text


@pytest.fixture(scope="module")
def traditional():
    content = sample_letter(3, applicant_name=RARE_NAME, amount=Decimal("12345.67"), chinese="zh-hant")
    return content, render_letter(content)


def test_a_traditional_chinese_letter_converts_the_wording_and_keeps_what_people_wrote(traditional):
    content, pdf = traditional
    text = text_layer(pdf)
    assert "資助批准通知書" in text and "资助批准通知书" not in text
    assert "人民幣壹萬貳仟叁佰肆拾伍元陸角柒分" in text
    assert "審核人Reviewer" in text and "審批人Approver" in text
    # Hong Kong words, not only Traditional characters: 戶口號碼 for the account number.
    assert "戶口號碼" in text and "賬號" not in text
    # The applicant's name and the patent title are printed as they were entered.
    assert RARE_NAME in text
    assert content.patent_title.replace(" ", "") in text
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.metadata.title.startswith("資助批准通知書")
    assert reader.trailer["/Root"]["/Lang"] == "zh-Hant-HK"
    assert json.loads(reader.attachments[ATTACHMENT_NAME][0])["chinese"] == "zh-hant"
    assert len(reader.pages) == 1 and len(pdf) < 60 * 1024


def test_every_traditional_character_is_drawn_as_itself(traditional):
    _, pdf = traditional
    drawn = check_page(pdf)
    assert len(drawn) > 200
    assert [d for d in drawn if not d.correct] == []
    assert {"資", "書", "幣", "萬", "貳", "陸"} <= {d.text for d in drawn}


def test_a_traditional_rejection_letter():
    content = sample_letter(5, kind=LetterKind.REJECTION, chinese="zh-hant")
    pdf = render_letter(content)
    text = text_layer(pdf)
    assert "資助申請不予批准通知書" in text
    assert content.reasons.splitlines()[0].replace(" ", "") in text  # the reasons as the reviewer wrote them
    assert wrong_glyphs(pdf) == []


def test_the_letter_stylesheet_styles_every_element_the_templates_use():
    # Letters are laid out without the browser's default stylesheet (render.py says why):
    # an element letter.css does not give a display would lay out as inline text.
    letters = Path(__file__).resolve().parents[3] / "templates" / "letters"
    templates = "".join(template.read_text() for template in letters.glob("*.html"))
    used = set(re.findall(r"<([a-z][a-z0-9]*)", templates))
    styled = set()
    css = re.sub(r"/\*.*?\*/", "", (letters / "letter.css").read_text(), flags=re.DOTALL)
    for selectors, declarations in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        if "display:" in declarations or "content:" in declarations:
            styled |= {selector.strip().split("::")[0] for selector in selectors.split(",")}
    assert used >= {"html", "div", "p", "br"}
    assert used - styled == set()


def test_only_a_letter_of_more_than_one_page_numbers_its_pages(approval):
    _, one_page = approval
    assert "1/1" not in text_layer(one_page)
    long_reasons = "\n".join(f"{n}. 所附费用收据与申报金额不符，请核对后重新提交。" for n in range(1, 80))
    content = dataclasses.replace(sample_letter(5, kind=LetterKind.REJECTION), reasons=long_reasons)
    pdf = render_letter(content)
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 2
    text = text_layer(pdf)
    assert "1/2" in text and "2/2" in text
    assert "79.所附费用收据" in text


def word_left_edges(pdf: bytes) -> dict[str, list[float]]:
    result = subprocess.run(["/usr/bin/pdftotext", "-bbox", "-", "-"], input=pdf, capture_output=True, check=True)
    edges: dict[str, list[float]] = {}
    for x_min, word in re.findall(r'<word xMin="([\d.]+)"[^>]*>([^<]*)</word>', result.stdout.decode()):
        edges.setdefault(word, []).append(float(x_min))
    return edges


@pytest.mark.parametrize(
    ("kind", "chinese"),
    [(LetterKind.APPROVAL, "zh-hans"), (LetterKind.APPROVAL, "zh-hant"), (LetterKind.REJECTION, "zh-hans")],
)
def test_every_label_fits_so_its_value_starts_in_the_value_column(kind, chinese):
    # A row is `label<tab>value`: a label wider than the 46 mm tab stop would push its
    # value to the next stop, out of the column.
    content = sample_letter(8, kind=kind, chinese=chinese)
    edges = word_left_edges(render_letter(content))
    column = (17 + 46) / 25.4 * 72  # page margin + label width, in points
    values = [content.reference, content.application_reference, content.applicant_id, content.patent_number.split()[0]]
    for value in values:
        assert value in edges, value
        assert all(abs(x - column) < 3 for x in edges[value]), (value, edges[value], column)
    if kind == LetterKind.APPROVAL:  # the longest label, 核定资助金额 Amount approved
        first_amount = edges[f"¥{content.amount:,.2f}"][0]
        assert abs(first_amount - column) < 3
