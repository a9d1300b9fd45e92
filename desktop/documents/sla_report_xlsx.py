"""The monthly availability report as an Excel workbook (openpyxl, write-only mode).

One sheet (written by :mod:`desktop.documents.xlsx`): a title, the export time, then
one row per client and product line with its availability, downtime, notifications,
credit base and credits. Numbers stay numbers (percent, hours and euro formats), so
the office can sort and sum them.
Text that a spreadsheet would read as a formula (« =… », « +… », « -… », « @… »,
tab, carriage return) is stored as a plain string with Excel's quote prefix: it is
shown as typed and never evaluated.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from desktop.documents.xlsx import (
    FORMULA_STARTS,
    CellType,
    XlsxColumn,
    write_workbook_bytes,
)
from desktop.domain.clock import PARIS, as_utc
from desktop.domain.periods import month_name
from desktop.services.sla import SlaRow

__all__ = ["COLUMNS", "FORMULA_STARTS", "HEADER_ROW", "sheet_title", "sla_report_workbook"]

PERCENT = "0.000 %"
CREDIT_RATE = "0 %"
HOURS = "0.00"
EUROS = "#,##0.00 €"
INTEGER = "0"

COLUMNS: tuple[XlsxColumn, ...] = (
    XlsxColumn("Code client", width=12),
    XlsxColumn("Client", width=36),
    XlsxColumn("Gamme", width=18),
    XlsxColumn("Disponibilité", CellType.PERCENT, 14, PERCENT),
    XlsxColumn("Indisponibilité (h)", CellType.DECIMAL, 18, HOURS),
    XlsxColumn("Notifications", CellType.INT, 14, INTEGER),
    XlsxColumn("Excusables", CellType.INT, 12, INTEGER),
    XlsxColumn("Taux d'avoir", CellType.PERCENT, 13, CREDIT_RATE),
    XlsxColumn("Base", CellType.MONEY, 14, EUROS),
    XlsxColumn("Avoirs déjà accordés (30 j)", CellType.MONEY, 26, EUROS),
    XlsxColumn("Avoir dû", CellType.MONEY, 13, EUROS),
    XlsxColumn("Avoir accordé", CellType.MONEY, 15, EUROS),
    XlsxColumn("N° d'avoir", width=18),
)

HEADER_ROW = 3
"""The header's row number: right under the title and the export note."""

_HUNDRED = Decimal(100)
_HOUR = timedelta(hours=1)


def sheet_title(month: date) -> str:
    """« Disponibilité mars 2026 » (31 characters at most, Excel's limit)."""
    return f"Disponibilité {month_name(month)}"[:31]


def sla_report_workbook(rows: Sequence[SlaRow], month: date, *, generated_at: datetime) -> bytes:
    """The report of ``month`` as the bytes of an .xlsx file."""
    return write_workbook_bytes(
        sheet=sheet_title(month),
        title=f"Disponibilité du service — {month_name(month)}",
        note=_note(generated_at, len(rows)),
        columns=COLUMNS,
        rows=(_values(row) for row in rows),
        header_row=HEADER_ROW,
    )


def _note(generated_at: datetime, count: int) -> str:
    local = as_utc(generated_at).astimezone(PARIS)
    lines = "ligne" if count <= 1 else "lignes"
    return f"Exporté le {local:%d/%m/%Y à %H:%M} — {count} {lines}"


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
