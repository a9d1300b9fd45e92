"""The lines of a quote as typed: kind, catalogue item, label, quantity, price, VAT, discount.

Choosing a catalogue item fills in its label, its price of the day and its VAT
rate, all still editable. Each row is read exactly (French decimals, never a
float); what is wrong is said per line, in French, and the amount of each valid
line is shown with the domain's rounding (:func:`desktop.domain.quotes.line_amounts`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import Enum

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from desktop.domain.enums import OptionBilling, OptionCategory
from desktop.domain.errors import InvalidValue
from desktop.domain.invoice_totals import ZERO
from desktop.domain.quotes import LineAmounts, LineInput, check_line, line_amounts
from desktop.services.catalogue import Catalogue
from desktop.services.quotes import QuoteLineDraft, QuoteLineView
from desktop.ui.formatting import money
from desktop.ui.widgets.amount_field import amount_text, parse_amount

FREE_LINE = "Ligne libre (sans article)"
CHOOSE_PLAN = "Choisir la formule…"
_SPACES = re.compile(r"[\s\u00a0\u202f]+")


class LineKind(Enum):
    PLAN = "Formule"
    OPTION = "Option"
    INITIAL_FEE = "Frais de mise en service"
    SERVICE = "Prestation"


_CATEGORY_KIND = {
    OptionCategory.OPTION: LineKind.OPTION,
    OptionCategory.INITIAL_FEE: LineKind.INITIAL_FEE,
    OptionCategory.SERVICE: LineKind.SERVICE,
}


class Col:
    KIND, ITEM, DESCRIPTION, QUANTITY, UNIT_PRICE, VAT, DISCOUNT, AMOUNT = range(8)


HEADERS = (
    "Type",
    "Article du catalogue",
    "Libellé",
    "Quantité",
    "Prix unitaire HT",
    "TVA %",
    "Remise (% ou €)",
    "Montant HT",
)
WIDTHS = (205, 290, 230, 70, 115, 60, 115, 105)


@dataclass(frozen=True)
class Entry:
    """A catalogue item a line may quote."""

    kind: LineKind
    item_id: int
    name: str
    price: Decimal | None
    vat_rate: Decimal
    billing: OptionBilling
    product_line_id: int | None
    """None: offered on every product line."""


@dataclass(frozen=True)
class ReadLine:
    """One valid row: what the service is given, and what the totals are computed on."""

    draft: QuoteLineDraft
    priced: LineInput


def catalogue_entries(catalogue: Catalogue) -> list[Entry]:
    """Every active plan and option of the catalogue, with its price of the day."""
    entries = [
        Entry(
            LineKind.PLAN,
            plan.id,
            plan.name,
            plan.current_price,
            plan.effective_vat_rate,
            OptionBilling.MONTHLY,
            plan.product_line_id,
        )
        for plan in catalogue.plans
        if plan.active
    ]
    entries += [
        Entry(
            _CATEGORY_KIND[option.category],
            option.id,
            option.name,
            option.current_price,
            option.effective_vat_rate,
            option.billing,
            option.product_line_id,
        )
        for option in catalogue.options
        if option.active
    ]
    return entries


def parse_number(text: str) -> Decimal:
    """« 1 234,5 », « 10 » → Decimal; else InvalidValue."""
    value = _SPACES.sub("", text).replace(",", ".")
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise InvalidValue(f"« {text.strip()} » n'est pas un nombre.") from None
    if not number.is_finite():
        raise InvalidValue(f"« {text.strip()} » n'est pas un nombre.")
    return number


def parse_discount(text: str) -> tuple[Decimal, Decimal | None]:
    """« 10 » or « 10 % » → (10, None); « 15 € » → (0, 15.00); empty → no discount."""
    value = _SPACES.sub("", text)
    if not value:
        return ZERO, None
    if value.endswith("€"):
        return ZERO, parse_amount(value)
    return parse_number(value.removesuffix("%")), None


def number_text(value: Decimal) -> str:
    """Decimal('1.50') → « 1,5 » (a quantity or a rate as typed)."""
    normal = value.normalize()
    shown = f"{normal:f}" if normal != normal.to_integral_value() else str(int(normal))
    return shown.replace(".", ",")


def discount_text(percent: Decimal, amount: Decimal | None) -> str:
    if amount is not None:
        return f"{amount_text(amount)} €"
    return "" if percent == 0 else f"{number_text(percent)} %"


class QuoteLinesTable(QTableWidget):
    """The editable lines; ``changed`` whenever a row or a value changes."""

    changed = Signal()

    def __init__(
        self, entries: Sequence[Entry], default_rate: Decimal, parent: QWidget | None = None
    ) -> None:
        super().__init__(0, len(HEADERS), parent)
        self.entries = list(entries)
        self.default_rate = default_rate
        self.product_line_id: int | None = None
        self._filling = 0
        self.setHorizontalHeaderLabels(list(HEADERS))
        self.verticalHeader().setDefaultSectionSize(30)
        header = self.horizontalHeader()
        for column, width in enumerate(WIDTHS):
            self.setColumnWidth(column, width)
        header.setSectionResizeMode(Col.DESCRIPTION, QHeaderView.ResizeMode.Stretch)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(
            QAbstractItemView.EditTrigger.AllEditTriggers
            & ~QAbstractItemView.EditTrigger.CurrentChanged
        )
        self.itemChanged.connect(self._item_changed)
        self.setMinimumHeight(180)

    # --- rows ---------------------------------------------------------------------------

    def add_line(
        self,
        kind: LineKind = LineKind.PLAN,
        item_id: int | None = None,
        *,
        description: str | None = None,
        quantity: Decimal = Decimal("1"),
        unit_price: Decimal | None = None,
        vat_rate: Decimal | None = None,
        discount: str = "",
    ) -> int:
        """A new row at the end (its catalogue values unless given); its index."""
        row = self.rowCount()
        self._filling += 1
        try:
            self.insertRow(row)
            kinds = QComboBox()
            for member in LineKind:
                kinds.addItem(member.value, member)
            kinds.setCurrentIndex(list(LineKind).index(kind))
            kinds.currentIndexChanged.connect(lambda _i, box=kinds: self._kind_changed(box))
            self.setCellWidget(row, Col.KIND, kinds)
            items = QComboBox()
            items.currentIndexChanged.connect(lambda _i, box=items: self._entry_changed(box))
            self.setCellWidget(row, Col.ITEM, items)
            for column in range(Col.DESCRIPTION, len(HEADERS)):
                cell = QTableWidgetItem("")
                if column >= Col.QUANTITY:
                    cell.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                if column == Col.AMOUNT:
                    cell.setFlags(cell.flags() & ~Qt.ItemFlag.ItemIsEditable)
                self.setItem(row, column, cell)
            self._fill_items(row, item_id)
            self._text(row, Col.QUANTITY, number_text(quantity))
            if description is not None:
                self._text(row, Col.DESCRIPTION, description)
            if unit_price is not None:
                self._text(row, Col.UNIT_PRICE, amount_text(unit_price))
            if vat_rate is not None:
                self._text(row, Col.VAT, number_text(vat_rate))
            if not self._cell(row, Col.VAT).text():
                self._text(row, Col.VAT, number_text(self.default_rate))
            self._text(row, Col.DISCOUNT, discount)
        finally:
            self._filling -= 1
        self.setCurrentCell(row, Col.DESCRIPTION)
        self.changed.emit()
        return row

    def add_view(self, line: QuoteLineView) -> int:
        """A row showing a stored line."""
        item_id: int | None
        if line.plan_id is not None:
            kind, item_id = LineKind.PLAN, line.plan_id
        elif line.category is not None:
            kind, item_id = _CATEGORY_KIND[line.category], line.option_id
        else:
            kind, item_id = LineKind.SERVICE, None
        return self.add_line(
            kind,
            item_id,
            description=line.description,
            quantity=line.quantity,
            unit_price=line.unit_price,
            vat_rate=line.vat_rate,
            discount=discount_text(line.discount_percent, line.discount_amount),
        )

    def remove_current(self) -> None:
        row = self.currentRow()
        if 0 <= row < self.rowCount():
            self.removeRow(row)
            self.changed.emit()

    def clear_lines(self) -> None:
        self.setRowCount(0)
        self.changed.emit()

    def set_product_line(self, product_line_id: int | None) -> None:
        """Offer the plans (and options) of that line; the items chosen stay if offered."""
        if product_line_id == self.product_line_id:
            return
        self.product_line_id = product_line_id
        self._filling += 1
        try:
            for row in range(self.rowCount()):
                self._fill_items(row, self._entry(row))
        finally:
            self._filling -= 1
        self.changed.emit()

    def kind_box(self, row: int) -> QComboBox:
        box = self.cellWidget(row, Col.KIND)
        assert isinstance(box, QComboBox)
        return box

    def item_box(self, row: int) -> QComboBox:
        box = self.cellWidget(row, Col.ITEM)
        assert isinstance(box, QComboBox)
        return box

    def select_item(self, row: int, item_id: int | None) -> None:
        box = self.item_box(row)
        box.setCurrentIndex(max(0, box.findData(item_id)))

    # --- reading ------------------------------------------------------------------------

    def read(self, global_percent: Decimal = ZERO) -> tuple[list[ReadLine], list[str]]:
        """The valid rows and the messages of the others (« Ligne 2 : … »)."""
        lines: list[ReadLine] = []
        errors: list[str] = []
        for row in range(self.rowCount()):
            try:
                line = self._read_row(row)
            except InvalidValue as exc:
                errors.append(f"Ligne {row + 1} : {exc.message}")
                self._show_amount(row, None)
                continue
            problems = check_line(line.priced)
            if problems:
                errors += [f"Ligne {row + 1} : {message}" for message in problems.values()]
                self._show_amount(row, None)
                continue
            lines.append(line)
            self._show_amount(row, line_amounts(line.priced, global_percent))
        return lines, errors

    def _read_row(self, row: int) -> ReadLine:
        kind: LineKind = self.kind_box(row).currentData()
        entry = self._entry_of(row)
        if kind is LineKind.PLAN and entry is None:
            raise InvalidValue("choisissez la formule.")
        quantity = parse_number(self._cell(row, Col.QUANTITY).text() or "0")
        price_text = self._cell(row, Col.UNIT_PRICE).text()
        if not price_text.strip():
            raise InvalidValue("indiquez le prix unitaire.")
        unit_price = parse_amount(price_text)
        vat_rate = parse_number(self._cell(row, Col.VAT).text() or "0")
        percent, amount = parse_discount(self._cell(row, Col.DISCOUNT).text())
        description = self._cell(row, Col.DESCRIPTION).text().strip()
        draft = QuoteLineDraft(
            plan_id=entry.item_id if entry and kind is LineKind.PLAN else None,
            option_id=entry.item_id if entry and kind is not LineKind.PLAN else None,
            description=description,
            quantity=quantity,
            unit_price=unit_price,
            vat_rate=vat_rate,
            discount_percent=percent,
            discount_amount=amount,
        )
        priced = LineInput(
            description=description,
            quantity=quantity,
            unit_price=unit_price,
            vat_rate=vat_rate,
            billing=entry.billing if entry else OptionBilling.PER_ACT,
            discount_percent=percent,
            discount_amount=amount,
        )
        return ReadLine(draft, priced)

    # --- internals ----------------------------------------------------------------------

    def _row_of(self, widget: QWidget, column: int) -> int:
        for row in range(self.rowCount()):
            if self.cellWidget(row, column) is widget:
                return row
        return -1

    def _entry(self, row: int) -> int | None:
        data = self.item_box(row).currentData()
        return data if isinstance(data, int) else None

    def _entry_of(self, row: int) -> Entry | None:
        item_id = self._entry(row)
        kind = self.kind_box(row).currentData()
        for entry in self.entries:
            if entry.kind is kind and entry.item_id == item_id:
                return entry
        return None

    def _offered(self, kind: LineKind) -> list[Entry]:
        return [entry for entry in self.entries if entry.kind is kind and self._fits(entry)]

    def _fits(self, entry: Entry) -> bool:
        """Plans of the quote's product line; options of that line or of every line."""
        if entry.kind is LineKind.PLAN:
            return entry.product_line_id == self.product_line_id
        return entry.product_line_id in (None, self.product_line_id)

    def _fill_items(self, row: int, keep: int | None) -> None:
        kind: LineKind = self.kind_box(row).currentData()
        box = self.item_box(row)
        box.blockSignals(True)
        box.clear()
        box.addItem(CHOOSE_PLAN if kind is LineKind.PLAN else FREE_LINE, None)
        for entry in self._offered(kind):
            price = "sans tarif" if entry.price is None else money(entry.price)
            box.addItem(f"{entry.name} — {price}", entry.item_id)
        box.setCurrentIndex(max(0, box.findData(keep)))
        box.blockSignals(False)

    def _kind_changed(self, box: QComboBox) -> None:
        row = self._row_of(box, Col.KIND)
        if row < 0:
            return
        self._fill_items(row, None)
        self.changed.emit()

    def _entry_changed(self, box: QComboBox) -> None:
        row = self._row_of(box, Col.ITEM)
        if row < 0:
            return
        entry = self._entry_of(row)
        if entry is not None and not self._filling:
            self._filling += 1
            try:
                self._text(row, Col.DESCRIPTION, entry.name)
                self._text(
                    row, Col.UNIT_PRICE, "" if entry.price is None else amount_text(entry.price)
                )
                self._text(row, Col.VAT, number_text(entry.vat_rate))
            finally:
                self._filling -= 1
        self.changed.emit()

    def _cell(self, row: int, column: int) -> QTableWidgetItem:
        cell = self.item(row, column)
        assert cell is not None  # every row gets its cells when added
        return cell

    def _text(self, row: int, column: int, value: str) -> None:
        self._cell(row, column).setText(value)

    def _show_amount(self, row: int, amounts: LineAmounts | None) -> None:
        self._filling += 1
        try:
            self._text(row, Col.AMOUNT, "—" if amounts is None else money(amounts.net))
        finally:
            self._filling -= 1

    def _item_changed(self, item: QTableWidgetItem) -> None:
        if not self._filling and item.column() != Col.AMOUNT:
            self.changed.emit()
