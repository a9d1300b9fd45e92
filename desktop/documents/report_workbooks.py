"""The reports of :mod:`desktop.services.reports` as Excel workbooks (one sheet each).

Each report becomes a :class:`ReportTable` (sheet name, title, note, typed columns,
rows) written by :func:`desktop.documents.xlsx.write_table`: amounts are numbers
in euros, dates are dates, so the office and the accountant can sort and sum.
The table cannot style a row, so totals are plain last rows whose first text
cell reads « Total » (« Sous-total » for a product line's subtotal).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO

from desktop.documents.xlsx import CellType, XlsxColumn, write_table, write_workbook_bytes
from desktop.domain.clock import PARIS, as_utc, utc_now
from desktop.domain.periods import month_name
from desktop.services.reports import (
    BUCKETS,
    AgingReport,
    Inventory,
    JournalLine,
    RevenueLine,
    journal_rates,
)

TEXT, INT, MONEY, DATE = CellType.TEXT, CellType.INT, CellType.MONEY, CellType.DATE


@dataclass(frozen=True)
class ReportTable:
    """What one report's sheet shows; ``count``: its detail rows (totals aside)."""

    sheet: str
    title: str
    note: str
    columns: tuple[XlsxColumn, ...]
    rows: tuple[tuple[object, ...], ...]
    count: int


def write_report(table: ReportTable, target: BinaryIO | Path) -> int:
    """Write the table's workbook to ``target`` (a path atomically); rows written."""
    return write_table(
        target,
        sheet=table.sheet,
        title=table.title,
        note=table.note,
        columns=table.columns,
        rows=table.rows,
    )


def report_bytes(table: ReportTable) -> bytes:
    """The table's workbook as the bytes of an .xlsx file."""
    return write_workbook_bytes(
        sheet=table.sheet,
        title=table.title,
        note=table.note,
        columns=table.columns,
        rows=table.rows,
    )


def rate_label(rate: Decimal) -> str:
    """A VAT rate for a header: Decimal('20.00') → « 20 % », Decimal('5.50') → « 5,5 % »."""
    text = f"{rate.normalize():f}".replace(".", ",")
    return f"{text} %"


def _exported(generated_at: datetime | None) -> str:
    local = as_utc(generated_at or utc_now()).astimezone(PARIS)
    return f"exporté le {local:%d/%m/%Y à %H:%M}"


def _lines(count: int, singular: str, plural: str) -> str:
    return f"{count} {singular if count <= 1 else plural}"


# --- receivables by age ---------------------------------------------------------------------


def receivables_table(report: AgingReport, *, generated_at: datetime | None = None) -> ReportTable:
    columns = (
        XlsxColumn("Code client", TEXT, 12),
        XlsxColumn("Client", TEXT, 36),
        XlsxColumn("Factures", INT, 10),
        *(XlsxColumn(bucket, MONEY, 14) for bucket in BUCKETS),
        XlsxColumn("Total dû", MONEY, 15),
    )
    rows: list[tuple[object, ...]] = [
        (row.client_code, row.client_name, row.invoices, *row.amounts, row.total)
        for row in report.rows
    ]
    invoices = sum(row.invoices for row in report.rows)
    rows.append(("Total", None, invoices, *report.totals, report.total))
    at = f"{report.at:%d/%m/%Y}"
    return ReportTable(
        sheet="Balance âgée",
        title=f"Balance âgée des créances au {at}",
        note=(
            f"Soldes TTC au {at}, nets des paiements (hors rejetés) et des avoirs ; "
            f"retard compté depuis l'échéance — {_lines(len(report.rows), 'client', 'clients')}, "
            f"{_exported(generated_at)}"
        ),
        columns=columns,
        rows=tuple(rows),
        count=len(report.rows),
    )


def receivables_workbook(report: AgingReport, *, generated_at: datetime | None = None) -> bytes:
    return report_bytes(receivables_table(report, generated_at=generated_at))


# --- sales journal --------------------------------------------------------------------------


def sales_journal_table(
    lines: Sequence[JournalLine], month: date, *, generated_at: datetime | None = None
) -> ReportTable:
    rates = journal_rates(lines)
    columns = (
        XlsxColumn("Date", DATE, 12),
        XlsxColumn("Numéro", TEXT, 16),
        XlsxColumn("Type", TEXT, 9),
        XlsxColumn("Code client", TEXT, 12),
        XlsxColumn("Client", TEXT, 32),
        *(XlsxColumn(f"Base HT {rate_label(rate)}", MONEY, 15) for rate in rates),
        *(XlsxColumn(f"TVA {rate_label(rate)}", MONEY, 13) for rate in rates),
        XlsxColumn("Total TTC", MONEY, 15),
        XlsxColumn("Mode de paiement", TEXT, 22),
    )
    rows = tuple(_journal_row(line, rates) for line in lines)
    documents = sum(1 for line in lines if not line.is_total)
    return ReportTable(
        sheet=f"Journal {month:%Y-%m}",
        title=f"Journal des ventes — {month_name(month)}",
        note=(
            "Factures et avoirs émis dans le mois (avoirs en négatif), par numéro — "
            f"{_lines(documents, 'document', 'documents')}, {_exported(generated_at)}"
        ),
        columns=columns,
        rows=rows,
        count=documents,
    )


def _journal_row(line: JournalLine, rates: Sequence[Decimal]) -> tuple[object, ...]:
    head: tuple[object, ...]
    if line.is_total:
        head = (None, "Total", None, None, line.client_name)
    else:
        head = (line.issued_on, line.number, line.kind, line.client_code, line.client_name)
    return (
        *head,
        *(line.bases.get(rate) for rate in rates),
        *(line.vat.get(rate) for rate in rates),
        line.total_incl_vat,
        line.payment_method or None,
    )


def sales_journal_workbook(
    lines: Sequence[JournalLine], month: date, *, generated_at: datetime | None = None
) -> bytes:
    return report_bytes(sales_journal_table(lines, month, generated_at=generated_at))


# --- recurring revenue ----------------------------------------------------------------------


def recurring_revenue_table(
    lines: Sequence[RevenueLine], month: date, *, generated_at: datetime | None = None
) -> ReportTable:
    columns = (
        XlsxColumn("Gamme", TEXT, 20),
        XlsxColumn("Formule ou option", TEXT, 30),
        XlsxColumn("Type", TEXT, 18),
        XlsxColumn("Boîtes facturées", INT, 12),
        XlsxColumn("Montant HT", MONEY, 15),
    )
    rows = tuple(_revenue_row(line) for line in lines)
    detail = sum(1 for line in lines if not (line.is_subtotal or line.is_total))
    return ReportTable(
        sheet=f"Récurrent {month:%Y-%m}",
        title=f"Revenu récurrent mensuel — {month_name(month)}",
        note=(
            "Abonnements et options mensuelles des factures émises pour le mois, hors avoirs ; "
            f"sous-total par gamme — {_exported(generated_at)}"
        ),
        columns=columns,
        rows=rows,
        count=detail,
    )


def _revenue_row(line: RevenueLine) -> tuple[object, ...]:
    if line.is_total:
        return ("Total", None, None, line.mailboxes, line.amount_excl_vat)
    if line.is_subtotal:
        return (line.product_line, "Sous-total", None, line.mailboxes, line.amount_excl_vat)
    return (line.product_line, line.item, line.kind, line.mailboxes, line.amount_excl_vat)


def recurring_revenue_workbook(
    lines: Sequence[RevenueLine], month: date, *, generated_at: datetime | None = None
) -> bytes:
    return report_bytes(recurring_revenue_table(lines, month, generated_at=generated_at))


# --- mailbox inventory ----------------------------------------------------------------------


def inventory_table(inventory: Inventory, *, generated_at: datetime | None = None) -> ReportTable:
    columns = (
        XlsxColumn("Adresse", TEXT, 34),
        XlsxColumn("Nom affiché", TEXT, 26),
        XlsxColumn("Gamme", TEXT, 18),
        XlsxColumn("Formule", TEXT, 24),
        XlsxColumn("Quota (Go)", INT, 10),
        XlsxColumn("État", TEXT, 16),
        XlsxColumn("Mise en service", DATE, 14),
        XlsxColumn("Contrat", TEXT, 16),
    )
    rows: list[tuple[object, ...]] = [
        (
            row.address,
            row.display_name or None,
            row.product_line,
            row.plan,
            row.quota_gb,
            row.status,
            row.started_on,
            row.contract_number,
        )
        for row in inventory.rows
    ]
    count = len(inventory.rows)
    quota = sum(row.quota_gb for row in inventory.rows)
    rows.append(("Total", _lines(count, "boîte", "boîtes"), None, None, quota, None, None, None))
    when = f"au {inventory.at:%d/%m/%Y}" if inventory.at else "à ce jour"
    return ReportTable(
        sheet=f"Boîtes {inventory.client_code}",
        title=(
            f"Inventaire des boîtes aux lettres — {inventory.client_name} ({inventory.client_code})"
        ),
        note=f"Boîtes {when} — {_lines(count, 'boîte', 'boîtes')}, {_exported(generated_at)}",
        columns=columns,
        rows=tuple(rows),
        count=count,
    )


def inventory_workbook(inventory: Inventory, *, generated_at: datetime | None = None) -> bytes:
    return report_bytes(inventory_table(inventory, generated_at=generated_at))
