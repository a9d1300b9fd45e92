"""« Faire un avoir »: a credit note on an issued invoice, for all of it or some lines.

An issued invoice is never changed: it is corrected by a credit note that
refers to it. The table lists the invoice's lines; each checked line is
credited of the amount typed (excl. VAT, the whole line by default, never more
than what earlier credit notes left). The credit note's totals follow as the
user types, VAT per rate as on an invoice; the reason is printed on it.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QRadioButton,
    QTableView,
    QWidget,
)

from desktop.domain.errors import InvalidValue, ValidationError
from desktop.domain.invoice_totals import Totals, invoice_totals
from desktop.errors import UserError
from desktop.services.credit_notes import CreditLine, create_credit_note
from desktop.services.invoices import InvoiceDetails, InvoiceLineDetails
from desktop.ui.dialogs.invoice_dialog import InvoiceDialog
from desktop.ui.formatting import GREY, french_date, money
from desktop.ui.models.rows_model import ROW_HEIGHT
from desktop.ui.widgets.amount_field import amount_text, parse_amount
from desktop.ui.widgets.validated_form import ERROR_COLOR, ErrorLabel, required

REASON_REQUIRED = "Indiquez le motif de l'avoir : il est imprimé sur l'avoir."
FULL = "Avoir total : toute la facture"
PARTIAL = "Avoir partiel : les lignes cochées, des montants indiqués"

Index = QModelIndex | QPersistentModelIndex


def rate_text(rate: Decimal) -> str:
    """Decimal('20.00') → « 20 % », Decimal('5.50') → « 5,5 % »."""
    return f"{rate:.2f}".rstrip("0").rstrip(".").replace(".", ",") + "\u00a0%"


class CreditLinesModel(QAbstractTableModel):
    """The invoice's lines, each checkable, with the amount to credit typed per line."""

    LINE, AMOUNT, CREDITED, RATE, CREDIT = range(5)
    TITLES = ("Ligne", "Montant HT", "Déjà crédité", "TVA", "À créditer HT")

    changed = Signal()
    """A line was checked, unchecked or its amount typed: the totals change."""

    def __init__(self, lines: Sequence[InvoiceLineDetails], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._lines = tuple(lines)
        self._checked = [line.creditable > 0 for line in self._lines]
        self._texts = [amount_text(line.creditable) for line in self._lines]
        self.editable = True

    # --- state --------------------------------------------------------------------------

    def line(self, row: int) -> InvoiceLineDetails:
        return self._lines[row]

    def is_checked(self, row: int) -> bool:
        return self._checked[row]

    def error(self, row: int) -> str | None:
        """What is wrong with the amount typed on a checked line (None: nothing)."""
        if not self._checked[row]:
            return None
        line = self._lines[row]
        try:
            amount = parse_amount(self._texts[row])
        except InvalidValue as exc:
            return exc.message
        if amount <= 0:
            return "Le montant à créditer doit être supérieur à zéro."
        if amount > line.creditable:
            return f"Au plus {money(line.creditable)} : ce qui reste à créditer sur cette ligne."
        return None

    def errors(self) -> list[str]:
        return [
            f"Ligne {self._lines[row].position} : {message}"
            for row in range(len(self._lines))
            if (message := self.error(row)) is not None
        ]

    def credited(self) -> list[tuple[InvoiceLineDetails, Decimal]]:
        """The checked lines whose amount is right, with that amount."""
        return [
            (line, parse_amount(self._texts[row]))
            for row, line in enumerate(self._lines)
            if self._checked[row] and self.error(row) is None
        ]

    def totals(self) -> Totals:
        return invoice_totals((amount, line.vat_rate) for line, amount in self.credited())

    def set_whole(self) -> None:
        """Every line that can still be credited, for all that is left of it."""
        self.beginResetModel()
        self._checked = [line.creditable > 0 for line in self._lines]
        self._texts = [amount_text(line.creditable) for line in self._lines]
        self.endResetModel()
        self.changed.emit()

    def set_editable(self, editable: bool) -> None:
        self.editable = editable
        if self._lines:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._lines) - 1, self.CREDIT))

    def set_line(self, row: int, *, checked: bool | None = None, amount: str | None = None) -> None:
        """Check or uncheck a line, or type its amount (as the user would)."""
        if checked is not None:
            self.setData(
                self.index(row, self.LINE),
                (Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked).value,
                Qt.ItemDataRole.CheckStateRole,
            )
        if amount is not None:
            self.setData(self.index(row, self.CREDIT), amount, Qt.ItemDataRole.EditRole)

    # --- QAbstractTableModel ------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._lines)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.TITLES)

    def headerData(  # noqa: N802 - Qt override
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.TITLES):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.TITLES[section]
        if role == Qt.ItemDataRole.TextAlignmentRole and section != self.LINE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        row, column = index.row(), index.column()
        if self._lines[row].creditable <= 0:
            return Qt.ItemFlag.NoItemFlags  # all of it is credited already
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if column == self.LINE and self.editable:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        if column == self.CREDIT and self.editable and self._checked[row]:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._lines):
            return None
        row, column = index.row(), index.column()
        if role == Qt.ItemDataRole.EditRole and column == self.CREDIT:
            return self._texts[row]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return self._text(row, column)
        if role == Qt.ItemDataRole.CheckStateRole and column == self.LINE:
            return (Qt.CheckState.Checked if self._checked[row] else Qt.CheckState.Unchecked).value
        if role == Qt.ItemDataRole.TextAlignmentRole and column != self.LINE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole:
            return self._colour(row, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.error(row) if column == self.CREDIT else self._lines[row].description
        return None

    def setData(  # noqa: N802 - Qt override
        self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole
    ) -> bool:
        if not index.isValid() or not self.flags(index) & Qt.ItemFlag.ItemIsEnabled:
            return False
        row, column = index.row(), index.column()
        if role == Qt.ItemDataRole.CheckStateRole and column == self.LINE:
            self._checked[row] = Qt.CheckState(value) == Qt.CheckState.Checked
        elif role == Qt.ItemDataRole.EditRole and column == self.CREDIT:
            self._texts[row] = str(value)
        else:
            return False
        self.dataChanged.emit(self.index(row, 0), self.index(row, self.CREDIT))
        self.changed.emit()
        return True

    def _text(self, row: int, column: int) -> str:
        line = self._lines[row]
        if column == self.LINE:
            return f"{line.position}. {line.description}"
        if column == self.AMOUNT:
            return money(line.amount_excl_vat)
        if column == self.CREDITED:
            return money(line.credited_excl_vat) if line.credited_excl_vat else "—"
        if column == self.RATE:
            return rate_text(line.vat_rate)
        if not self._checked[row]:
            return ""
        if self.error(row) is not None:
            return self._texts[row]  # as typed, in red
        return money(parse_amount(self._texts[row]))

    def _colour(self, row: int, column: int) -> QColor | None:
        if self._lines[row].creditable <= 0:
            return QColor(GREY)
        if column == self.CREDIT and self.error(row) is not None:
            return QColor(ERROR_COLOR)
        return None


def lines_table(model: CreditLinesModel) -> QTableView:
    table = QTableView()
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(
        QAbstractItemView.EditTrigger.DoubleClicked
        | QAbstractItemView.EditTrigger.EditKeyPressed
        | QAbstractItemView.EditTrigger.AnyKeyPressed
        | QAbstractItemView.EditTrigger.SelectedClicked
    )
    table.setAlternatingRowColors(True)
    table.setShowGrid(False)
    table.setWordWrap(False)
    rows = table.verticalHeader()
    rows.hide()
    rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    rows.setDefaultSectionSize(ROW_HEIGHT)
    header = table.horizontalHeader()
    header.setHighlightSections(False)
    header.setSectionResizeMode(CreditLinesModel.LINE, QHeaderView.ResizeMode.Stretch)
    for column, width in ((1, 100), (2, 100), (3, 60), (4, 110)):
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        table.setColumnWidth(column, width)
    return table


class CreditNoteDialog(InvoiceDialog):
    title_format = "Avoir sur la facture {number}"
    action = "Émettre l'avoir"

    def build(self) -> None:
        invoice = self.invoice
        self.form.validity_changed.disconnect(self.save_button.setEnabled)
        self.form.validity_changed.connect(self._update)
        column = self.column
        about = QLabel(
            f"<b>Facture {html.escape(invoice.number or '')}</b> du "
            f"{french_date(invoice.issued_on)} — {html.escape(invoice.client_name)} — "
            f"total {money(invoice.total_excl_vat)} HT, {money(invoice.total_incl_vat)} TTC"
            + (f" ; déjà crédité {money(invoice.credited)} TTC" if invoice.credited else "")
        )
        about.setWordWrap(True)
        column.addWidget(about)
        self.whole = QRadioButton(FULL)
        self.partial = QRadioButton(PARTIAL)
        modes = QButtonGroup(self)
        for button in (self.whole, self.partial):
            modes.addButton(button)
            column.addWidget(button)
        self.lines = CreditLinesModel(invoice.lines, self)
        self.table = lines_table(self.lines)
        self.table.setMinimumHeight(140)
        column.addWidget(self.table, 1)
        self.lines_error = ErrorLabel(self)
        column.addWidget(self.lines_error)
        self.hint = QLabel("Cochez les lignes ; double-cliquez sur un montant pour le changer.")
        self.hint.setStyleSheet(f"color: {GREY};")
        self.totals = QLabel()
        self.totals.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        totals_row = QHBoxLayout()
        totals_row.addWidget(self.hint)
        totals_row.addStretch(1)
        totals_row.addWidget(self.totals)
        column.addLayout(totals_row)
        fields = QFormLayout()
        fields.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.reason = QPlainTextEdit()
        self.reason.setTabChangesFocus(True)
        self.reason.setPlaceholderText("Erreur de facturation, geste commercial, résiliation…")
        self.reason.setFixedHeight(self.reason.fontMetrics().lineSpacing() * 3 + 14)
        self.form.add_row(
            fields,
            "Motif",
            self.form.add("reason", self.reason, required(REASON_REQUIRED), title="Motif"),
        )
        column.addLayout(fields)
        self.lines.changed.connect(self._update)
        self.whole.toggled.connect(self._mode_changed)
        self.whole.setChecked(invoice.credited == 0)
        self.partial.setChecked(invoice.credited != 0)
        self._mode_changed()
        self.form.reset()
        self.resize(760, 460)

    # --- the lines ----------------------------------------------------------------------

    @property
    def is_whole(self) -> bool:
        return self.whole.isChecked()

    def _mode_changed(self) -> None:
        if self.is_whole:
            self.lines.set_whole()
        self.lines.set_editable(not self.is_whole)
        self.hint.setVisible(not self.is_whole)
        self._update()

    def _update(self) -> None:
        errors = self.lines.errors()
        self.lines_error.set_message("\n".join(errors))
        totals = self.lines.totals()
        self.totals.setText(
            f"Avoir : {money(totals.excl_vat)} HT · TVA {money(totals.vat)} · "
            f"<b>{money(totals.incl_vat)} TTC</b>"
        )
        ready = not errors and bool(self.lines.credited()) and self.form.is_valid
        self.save_button.setEnabled(ready)

    def shown_totals(self) -> str:
        return self.totals.text()

    # --- InvoiceDialog -------------------------------------------------------------------

    def fill(self, details: InvoiceDetails) -> None:
        self.invoice = details

    def build_draft(self) -> list[CreditLine] | None:
        if self.is_whole:
            return None  # all that is not credited yet
        return [CreditLine(line.id, amount) for line, amount in self.lines.credited()]

    def save(self) -> None:
        if self.lines.errors() or not self.lines.credited():
            self.form.show_general("Cochez au moins une ligne et corrigez les montants indiqués.")
            return
        super().save()

    def write(self, draft: list[CreditLine] | None) -> str:
        try:
            return create_credit_note(
                self.db,
                self.invoice.id,
                lines=draft,
                reason=self.form.value("reason"),
                actor=self.actor,
            )
        except ValidationError as exc:
            if "lines" in exc.errors:  # about the table: shown above the form
                raise UserError(exc.errors["lines"]) from None
            raise
