"""The record of an invoice or a credit note: its terms and totals, what was paid and
credited, what remains due, a dispute; its lines, payments and credit notes below."""

from __future__ import annotations

import html
from collections.abc import Sequence
from decimal import Decimal

from PySide6.QtCore import QModelIndex, QSize
from PySide6.QtWidgets import QHeaderView, QTableView

from desktop.domain.clock import paris_today
from desktop.domain.enums import InvoiceKind
from desktop.services.invoices import CreditNoteSummary, InvoiceDetails, get_invoice
from desktop.ui.dialogs.billing_run import month_name
from desktop.ui.dialogs.credit_note_dialog import rate_text
from desktop.ui.dialogs.dispute_dialog import late_text
from desktop.ui.formatting import ORANGE, RED, french_date, money
from desktop.ui.models.rows_model import RowColumn, RowsModel, rows_table
from desktop.ui.tabs.specs import RecordKind
from desktop.ui.views.base import Field, RecordView, link, status_html, text
from desktop.ui.views.invoice_actions import add_invoice_actions


def decimal_text(value: Decimal, *, places: int = 0) -> str:
    """Decimal('1.500') → « 1,5 »; at least ``places`` decimals (a unit price: 2)."""
    shown = f"{value:f}"
    if "." in shown:
        units, cents = shown.split(".")
        cents = cents.rstrip("0").ljust(places, "0")
        shown = f"{units}.{cents}" if cents else units
    return shown.replace(".", ",")


def price_text(value: Decimal) -> str:
    """A unit price, to its last significant decimal (up to 4): « 12,3456 € »."""
    return f"{decimal_text(value, places=2)}\u00a0€"


def coloured(colour: str, value: str, *, bold: bool = False) -> str:
    shown = f"<b>{value}</b>" if bold else value
    return f'<span style="color:{colour}">{shown}</span>'


LINE_COLUMNS = (
    RowColumn("N°", lambda r: str(r.position), 32, right=True),
    RowColumn("Désignation", lambda r: r.description, 300, tooltip=lambda r: r.description),
    RowColumn("Qté", lambda r: decimal_text(r.quantity), 50, right=True),
    RowColumn("PU HT", lambda r: price_text(r.unit_price_excl_vat), 80, right=True),
    RowColumn("TVA", lambda r: rate_text(r.vat_rate), 55, right=True),
    RowColumn("Montant HT", lambda r: money(r.amount_excl_vat), 90, right=True),
    RowColumn(
        "Crédité HT",
        lambda r: money(r.credited_excl_vat) if r.credited_excl_vat else "",
        90,
        right=True,
        colour=lambda _r: ORANGE,
    ),
)

PAYMENT_COLUMNS = (
    RowColumn("Date", lambda p: french_date(p.paid_on), 90),
    RowColumn("Montant", lambda p: money(p.amount), 100, right=True),
    RowColumn("Mode", lambda p: p.method.label, 140),
    RowColumn("Référence", lambda p: p.reference or "", 180),
    RowColumn("Saisi par", lambda p: p.recorded_by or "", 100),
    RowColumn(
        "État",
        lambda p: "Rejeté" if p.rejected_at else "Encaissé",
        90,
        colour=lambda p: RED if p.rejected_at else None,
        tooltip=lambda p: p.rejection_reason,
    ),
)

CREDIT_NOTE_COLUMNS = (
    RowColumn("Numéro", lambda c: c.number or "(brouillon)", 130),
    RowColumn("Émis le", lambda c: french_date(c.issued_on), 90),
    RowColumn("Total HT", lambda c: money(c.total_excl_vat), 100, right=True),
    RowColumn("Total TTC", lambda c: money(c.total_incl_vat), 100, right=True),
    RowColumn("Motif", lambda c: c.reason or "", 240, tooltip=lambda c: c.reason),
)


PREFERRED_WIDTH = 540
"""Room for the buttons, the totals on one line and the lines table (the user may narrow it)."""


class InvoiceView(RecordView):
    kind = RecordKind.INVOICE

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        hint = super().sizeHint()
        hint.setWidth(max(hint.width(), PREFERRED_WIDTH))
        return hint

    def fetch(self) -> InvoiceDetails:
        return get_invoice(self.db, self.record_id)

    def title(self, record: InvoiceDetails) -> str:
        return f"{record.kind.label} {record.number or '(brouillon)'}"

    def fields(self, record: InvoiceDetails) -> Sequence[Field]:
        fields = [
            ("Client", link(RecordKind.CLIENT, record.client_id, record.client_name)),
            ("État", self._status(record)),
        ]
        if record.corrects_id is not None:
            number = record.corrects_number or "la facture"
            fields.append(("Corrige", link(RecordKind.INVOICE, record.corrects_id, number)))
        if record.issued_on is not None:
            by = f" par {record.issued_by}" if record.issued_by else ""
            fields.append(("Émise le", text(f"{french_date(record.issued_on)}{by}")))
        if record.due_on is not None:
            fields.append(("Échéance", text(french_date(record.due_on))))
        if record.period_start and record.period_end:
            period = f"du {french_date(record.period_start)} au {french_date(record.period_end)}"
            fields.append(("Période", text(period)))
        if record.billing_month is not None:
            renewal = " (facture de renouvellement)" if record.is_renewal else ""
            fields.append(("Mois facturé", text(month_name(record.billing_month) + renewal)))
        fields.append(("Mode de paiement", text(record.payment_method)))
        if record.purchase_order_ref:
            fields.append(("Bon de commande", text(record.purchase_order_ref)))
        fields.append(
            (
                "Totaux",
                f"{money(record.total_excl_vat)} HT · TVA {money(record.total_vat)} · "
                f"<b>{money(record.total_incl_vat)} TTC</b>",
            )
        )
        if record.kind is InvoiceKind.INVOICE and not record.is_draft:
            fields += self._settlement(record)
        if record.reason:
            fields.append(("Motif", text(record.reason)))
        if record.dispute is not None:
            fields.append(("Contestation", self._dispute(record)))
        return fields

    @staticmethod
    def _status(record: InvoiceDetails) -> str:
        shown = status_html(record.status)
        if overdue(record):
            shown += " " + coloured(ORANGE, f"— échue depuis le {french_date(record.due_on)}")
        return shown

    @staticmethod
    def _settlement(record: InvoiceDetails) -> list[Field]:
        fields: list[Field] = [("Réglé", money(record.paid))]
        if record.credited:
            fields.append(("Avoirs", money(record.credited)))
        due = money(record.balance)
        fields.append(
            ("Reste dû", coloured(ORANGE, due, bold=True) if overdue(record) else f"<b>{due}</b>")
        )
        return fields

    @staticmethod
    def _dispute(record: InvoiceDetails) -> str:
        dispute = record.dispute
        assert dispute is not None
        shown = html.escape(f"reçue le {french_date(dispute.received_on)}")
        if dispute.reason:
            shown += html.escape(f" : {dispute.reason}")
        if dispute.late:
            shown += "<br>" + coloured(ORANGE, f"⚠ {late_text(record.dispute_days)}")
        return shown

    def add_actions(self, record: InvoiceDetails) -> None:
        add_invoice_actions(self, record)

    def add_lists(self, record: InvoiceDetails) -> None:
        self.lines = RowsModel(LINE_COLUMNS, self)
        self.lines_table = stretched(rows_table(self.lines), 1)
        self.tabs.addTab(self.lines_table, "Lignes")
        self.payments = RowsModel(PAYMENT_COLUMNS, self)
        self.credit_notes = RowsModel(CREDIT_NOTE_COLUMNS, self)
        if record.kind is InvoiceKind.INVOICE:
            self.tabs.addTab(stretched(rows_table(self.payments), 3), "Paiements")
            credit_notes = rows_table(self.credit_notes)
            credit_notes.doubleClicked.connect(self._open_credit_note)
            self.tabs.addTab(credit_notes, "Avoirs")
        self.loaded.connect(self._show_rows)
        self._show_rows(record)

    def _show_rows(self, record: InvoiceDetails) -> None:
        shown: list[tuple[RowsModel, Sequence[object], str]] = [
            (self.lines, record.lines, "Lignes"),
            (self.payments, record.payments, "Paiements"),
            (self.credit_notes, record.credit_notes, "Avoirs"),
        ]
        for index, (model, rows, title) in enumerate(shown[: self.tabs.count()]):
            model.set_rows(rows)
            self.tabs.setTabText(index, f"{title} ({len(rows)})")
        credited = any(line.credited_excl_vat for line in record.lines)
        self.lines_table.setColumnHidden(len(LINE_COLUMNS) - 1, not credited)

    def _open_credit_note(self, index: QModelIndex) -> None:
        if index.isValid():
            credit_note: CreditNoteSummary = self.credit_notes.row(index.row())
            self.navigate.emit(RecordKind.INVOICE, credit_note.id)


def stretched(table: QTableView, column: int) -> QTableView:
    """``table`` whose ``column`` takes the room left (a description, a reference)."""
    header = table.horizontalHeader()
    header.setStretchLastSection(False)
    header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
    return table


def overdue(record: InvoiceDetails) -> bool:
    """Issued, not fully paid, and past its due date."""
    return (
        record.kind is InvoiceKind.INVOICE
        and not record.is_draft
        and record.balance > 0
        and record.due_on is not None
        and record.due_on < paris_today()
    )
