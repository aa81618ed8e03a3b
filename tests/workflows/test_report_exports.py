"""Report downloads never hold a formula: a funding round named like one comes out as
text in CSV and XLSX, read back with csv and openpyxl; the figures stay numbers."""

import csv
import io

import pytest
from openpyxl import load_workbook

from subsidy.models import Role
from tests.factories import FundingRoundFactory, staff_member
from tests.subsidy.exports.hostile import HOSTILE, starts_safely

pytestmark = pytest.mark.django_db


def test_round_names_like_formulas_are_text_in_both_formats(client):
    for value in HOSTILE:
        FundingRoundFactory(name=value)
    client.force_login(staff_member(Role.AUDITOR))
    text = client.get("/staff/reports/rounds.csv").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert all(starts_safely(cell) for row in rows for cell in row)
    names = {row[0] for row in rows[1:]}
    assert {"'" + value for value in HOSTILE} <= names
    sheet = load_workbook(io.BytesIO(client.get("/staff/reports/rounds.xlsx").content)).active
    numbers = 0
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", cell.coordinate
            if isinstance(cell.value, str):
                assert cell.data_type == "s" and starts_safely(cell.value), (cell.coordinate, cell.value)
            elif cell.value is not None:
                numbers += 1
    assert numbers >= len(HOSTILE)  # budgets and amounts are still numbers
