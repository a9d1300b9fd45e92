"""The monthly availability report as an Excel workbook (openpyxl, write-only mode).

One sheet: a title, the export time, then one row per client and product line with
its availability, downtime, notifications, credit base and credits. Numbers stay
numbers (percent, hours and euro formats), so the office can sort and sum them.
Text that a spreadsheet would read as a formula (« =… », « +… », « -… », « @… »,
tab, carriage return) is stored as a plain string with Excel's quote prefix: it is
shown as typed and never evaluated.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from io import BytesIO
from typing import Any

# openpyxl ships no type hints (no stubs among the dependencies).
from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]
from openpyxl.styles import Alignment, Font, PatternFill  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]
from openpyxl.worksheet._write_only import WriteOnlyWorksheet  # type: ignore[import-untyped]

from desktop.domain.clock import PARIS, as_utc
from desktop.domain.periods import month_name
from desktop.services.sla import SlaRow

PERCENT = "0.000 %"
CREDIT_RATE = "0 %"
HOURS = "0.00"
EUROS = "#,##0.00 €"
INTEGER = "0"

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read text as a formula."""

# (header, width, number format or None for text)
COLUMNS: tuple[tuple[str, int, str | None], ...] = (
    ("Code client", 12, None),
    ("Client", 36, None),
    ("Gamme", 18, None),
    ("Disponibilité", 14, PERCENT),
    ("Indisponibilité (h)", 18, HOURS),
    ("Notifications", 14, INTEGER),
    ("Excusables", 12, INTEGER),
    ("Taux d'avoir", 13, CREDIT_RATE),
    ("Base", 14, EUROS),
    ("Avoirs déjà accordés (30 j)", 26, EUROS),
    ("Avoir dû", 13, EUROS),
    ("Avoir accordé", 15, EUROS),
    ("N° d'avoir", 18, None),
)

HEADER_ROW = 3
"""The header's row number: under the title and the export note."""

_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
_TITLE_FONT = Font(bold=True, size=14)
_NOTE_FONT = Font(italic=True, color="595959")
_HUNDRED = Decimal(100)
_HOUR = timedelta(hours=1)


def sheet_title(month: date) -> str:
    """« Disponibilité mars 2026 » (31 characters at most, Excel's limit)."""
    return f"Disponibilité {month_name(month)}"[:31]


def sla_report_workbook(rows: Sequence[SlaRow], month: date, *, generated_at: datetime) -> bytes:
    """The report of ``month`` as the bytes of an .xlsx file."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title(month))
    _layout(sheet, len(rows))
    sheet.append([_styled(sheet, f"Disponibilité du service — {month_name(month)}", _TITLE_FONT)])
    sheet.append([_styled(sheet, _note(generated_at, len(rows)), _NOTE_FONT)])
    sheet.append([_header(sheet, title) for title, _, _ in COLUMNS])
    for row in rows:
        sheet.append(_cells(sheet, row))
    output = BytesIO()
    workbook.save(output)
    return output.getvalue()


def _layout(sheet: WriteOnlyWorksheet, count: int) -> None:
    """Widths, frozen header and autofilter: set before any row in write-only mode."""
    for index, (_, width, _) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    last = get_column_letter(len(COLUMNS))
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{last}{HEADER_ROW + max(count, 1)}"


def _note(generated_at: datetime, count: int) -> str:
    local = as_utc(generated_at).astimezone(PARIS)
    lines = "ligne" if count <= 1 else "lignes"
    return f"Exporté le {local:%d/%m/%Y à %H:%M} — {count} {lines}"


def _styled(sheet: WriteOnlyWorksheet, text: str, font: Font) -> WriteOnlyCell:
    cell = _text(sheet, text)
    cell.font = font
    return cell


def _header(sheet: WriteOnlyWorksheet, title: str) -> WriteOnlyCell:
    cell = _text(sheet, title)
    cell.font = _HEADER_FONT
    cell.fill = _HEADER_FILL
    cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    return cell


def _cells(sheet: WriteOnlyWorksheet, row: SlaRow) -> list[WriteOnlyCell]:
    values = _values(row)
    cells = []
    for value, (_, _, number_format) in zip(values, COLUMNS, strict=True):
        if number_format is None:
            cells.append(_text(sheet, "" if value is None else str(value)))
            continue
        cell = WriteOnlyCell(sheet, value)
        cell.number_format = number_format
        cells.append(cell)
    return cells


def _values(row: SlaRow) -> tuple[Any, ...]:
    hours = (row.downtime / _HOUR) if row.downtime else 0.0
    return (
        row.client_code,
        row.client_name,
        row.product_line_name,
        row.availability / _HUNDRED,
        round(hours, 6),
        row.notifications,
        row.excusable,
        row.credit_percent / _HUNDRED,
        row.base,
        row.already_credited,
        row.credit_due,
        row.credit_granted,
        row.credit_note_number,
    )


def _text(sheet: WriteOnlyWorksheet, text: str) -> WriteOnlyCell:
    """A string cell, never a formula, whatever the text starts with."""
    cell = WriteOnlyCell(sheet, text)
    cell.data_type = "s"
    if text.startswith(FORMULA_STARTS):
        cell.quotePrefix = True
    return cell
