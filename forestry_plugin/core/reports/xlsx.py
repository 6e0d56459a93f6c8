"""Shared openpyxl styling for the plugin's Excel reports: title block, header, formats, print setup."""

from __future__ import annotations

from typing import Iterable, Optional, Sequence

from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

FONT = "等线"  # Excel's default CJK font; falls back gracefully elsewhere
MU_FORMAT = "#,##0.00"
HA_FORMAT = "#,##0.0000"
COUNT_FORMAT = "#,##0"
PERCENT_FORMAT = "0.0%"
M2_FORMAT = "#,##0.00"
THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")


def title_block(ws: Worksheet, title: str, subtitle_lines: Sequence[str], width: int) -> int:
    """Write a merged title and subtitle lines; return the next free row."""
    ws.cell(row=1, column=1, value=title).font = Font(name=FONT, size=16, bold=True)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.cell(row=1, column=1).alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 28
    row = 2
    for line in subtitle_lines:
        ws.cell(row=row, column=1, value=line).font = Font(name=FONT, size=10, color="404040")
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
        row += 1
    return row + 1


def header_rows(ws: Worksheet, row: int, groups: Sequence[tuple], sub: Optional[Sequence[str]] = None) -> int:
    """Header: `groups` = [(label, span)], optionally a second row of sub-labels; return the first data row."""
    col = 1
    for label, span in groups:
        c = ws.cell(row=row, column=col, value=label)
        if span > 1 or sub is not None:
            end_row = row if span > 1 or sub is None else row + 1
            if span > 1 or end_row != row:
                ws.merge_cells(start_row=row, start_column=col, end_row=end_row, end_column=col + span - 1)
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        col += span
    last = row
    if sub is not None:
        col = 1
        for _label, span in groups:
            if span > 1:
                for k in range(span):
                    ws.cell(row=row + 1, column=col + k, value=sub[col + k - 1])
            col += span
        last = row + 1
    width = sum(span for _l, span in groups)
    for r in range(row, last + 1):
        for c in range(1, width + 1):
            cell = ws.cell(row=r, column=c)
            cell.font = Font(name=FONT, bold=True)
            cell.fill = HEADER_FILL
            cell.border = BORDER
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    return last + 1


def style_data(ws: Worksheet, first_row: int, last_row: int, formats: Sequence[Optional[str]],
               total_rows: Iterable[int] = ()) -> None:
    """Borders, fonts and number formats for the data block (column i gets formats[i])."""
    totals = set(total_rows)
    for r in range(first_row, last_row + 1):
        for i, fmt in enumerate(formats, start=1):
            cell = ws.cell(row=r, column=i)
            cell.border = BORDER
            cell.font = Font(name=FONT, bold=r in totals)
            if fmt:
                cell.number_format = fmt
                cell.alignment = Alignment(horizontal="right")
            if r in totals:
                cell.fill = TOTAL_FILL


def column_widths(ws: Worksheet, widths: Sequence[float]) -> None:
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w


def print_setup(ws: Worksheet, header_first_row: int, header_last_row: int, landscape: bool = True) -> None:
    """A4, fit all columns on one page width, repeat the header rows on every page."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{header_first_row}:{header_last_row}"
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.print_options.horizontalCentered = True
    ws.oddFooter.center.text = "&P / &N"
