"""The dashboard for scheme administrators and auditors: tables from subsidy.reports,
a bar chart above each where a picture reads faster, the numbers always in the table
below it, and every table downloadable as CSV or XLSX."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from decimal import Decimal
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from subsidy import reports
from subsidy.exports.cells import safe_value, text_cell
from subsidy.models import Scheme
from subsidy.permissions import in_schemes_served_by, schemes_served_by
from workflows.staff_views import REPORT_VIEWERS, staff_required

BAR_HEIGHT, BAR_GAP, LABEL_WIDTH, BAR_WIDTH = 20, 6, 190, 420


def reports_required(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    @staff_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if not (request.user.is_superuser or request.staff_roles & REPORT_VIEWERS):  # type: ignore[attr-defined]
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def chart(table: reports.Table) -> dict[str, Any] | None:
    """Horizontal bars for the table's chart column, as geometry for the SVG template."""
    if table.chart_column is None or not table.rows:
        return None
    values = [float(row[table.chart_column] or 0) for row in table.rows]
    top = max(values) or 1.0
    bars = []
    for index, (row, value) in enumerate(zip(table.rows, values, strict=True)):
        y = index * (BAR_HEIGHT + BAR_GAP)
        bars.append(
            {
                "label": str(row[0]),
                "value": row[table.chart_column],
                "y": y,
                "text_y": y + BAR_HEIGHT - 5,
                "width": round(BAR_WIDTH * value / top, 1),
                "value_x": LABEL_WIDTH + round(BAR_WIDTH * value / top, 1) + 6,
            }
        )
    return {
        "bars": bars,
        "height": len(bars) * (BAR_HEIGHT + BAR_GAP),
        "width": LABEL_WIDTH + BAR_WIDTH + 110,
        "label_width": LABEL_WIDTH,
        "bar_x": LABEL_WIDTH,
        "bar_height": BAR_HEIGHT,
        "column": table.columns[table.chart_column].label,
    }


def counted_schemes(request: HttpRequest) -> tuple[reports.Schemes, list[Scheme], int | None]:
    """The schemes the reports count: those the account works on, or the one chosen with
    ?scheme= among them (any other choice counts them all, as no choice does); with the
    schemes to choose from and the chosen one."""
    served = schemes_served_by(request.user)
    choices = list(Scheme.objects.filter(in_schemes_served_by(request.user, "pk")).order_by("code"))
    chosen = request.GET.get("scheme", "")
    if chosen.isdigit() and int(chosen) in {scheme.pk for scheme in choices}:
        return frozenset({int(chosen)}), choices, int(chosen)
    return served, choices, None


@reports_required
def dashboard(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    schemes, scheme_choices, chosen = counted_schemes(request)
    tables = [
        {
            "table": table,
            "chart": chart(table),
            "rows": _cells(table, table.rows),
            "totals": _cells(table, [table.totals]) if table.totals is not None else [],
        }
        for table in reports.dashboard(now, schemes)
    ]
    context = {"tables": tables, "now": now, "schemes": scheme_choices, "chosen_scheme": chosen}
    return render(request, "staff/reports.html", context)


def _cells(table: reports.Table, rows: list[list[Any]]) -> list[list[dict[str, Any]]]:
    """Each value with whether it is a figure (right-aligned, tabular digits)."""
    return [
        [
            {
                "value": value,
                "num": column.kind != reports.TEXT,
                "money": column.kind == reports.MONEY,
                "time": hasattr(value, "tzinfo"),
            }
            for value, column in zip(row, table.columns, strict=True)
        ]
        for row in rows
    ]


def _cell(value: Any) -> Any:
    """Numbers stay numbers; everything else becomes text that no spreadsheet runs as a
    formula (a city, a reviewer's name: subsidy.exports.cells)."""
    if isinstance(value, Decimal | int | float) or value is None:
        return value
    if hasattr(value, "tzinfo"):
        return date_format(timezone.localtime(value), "Y-m-d H:i")
    # Control characters cannot go into XLSX; in a report (not a bank file) they are dropped.
    return safe_value(ILLEGAL_CHARACTERS_RE.sub("", str(value)))


@reports_required
def export(request: HttpRequest, key: str, file_format: str) -> HttpResponse:
    if key not in reports.REPORTS or file_format not in ("csv", "xlsx"):
        raise Http404
    table = reports.report(key, timezone.now(), counted_schemes(request)[0])
    header = [safe_value(str(column.label)) for column in table.columns]
    rows = [[_cell(v) for v in row] for row in table.rows]
    if table.totals:
        rows.append([_cell(v) for v in table.totals])
    filename = f"report-{key}-{timezone.localdate():%Y%m%d}.{file_format}"
    if file_format == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(["" if v is None else v for v in row] for row in rows)
        response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    else:
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(title=key)
        sheet.append([text_cell(sheet, label) for label in header])
        for row in rows:
            # Text explicitly as strings (already made safe by _cell), numbers as numbers.
            sheet.append([text_cell(sheet, v) if isinstance(v, str) else v for v in row])
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(
            buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
