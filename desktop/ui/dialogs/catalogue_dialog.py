"""« Facturation > Catalogue et tarifs… »: plans and options, their VAT rate and price history.

Two tabs, « Formules » and « Options et prestations »: a table of the items with
their price today, and under it the price history of the selected one with its
actions: a new price from a date, the VAT rate (or the provider's default), offer
it or no longer, a new plan or option. Reads and saves run on the window's
database worker; a refusal is shown in French under the field it is about.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.db.engine import Database
from desktop.domain.clock import paris_today
from desktop.domain.enums import MailboxKind, OptionBilling, OptionCategory
from desktop.domain.errors import InvalidValue, ValidationError
from desktop.errors import ConflictError, UserError
from desktop.services import catalogue as service
from desktop.services.catalogue import (
    Catalogue,
    CatalogueItem,
    PlanRow,
    PriceRow,
    check_amount,
    check_vat_rate,
)
from desktop.ui.db_worker import DbWorker, Job
from desktop.ui.dialogs.welcome import unexpected_error_message
from desktop.ui.formatting import GREY, french_date, money
from desktop.ui.models.rows_model import RowColumn, RowsModel, rows_table
from desktop.ui.widgets.amount_field import AmountField, parse_amount
from desktop.ui.widgets.date_field import DateField, read_date
from desktop.ui.widgets.enum_combo import EnumCombo
from desktop.ui.widgets.validated_form import ErrorLabel

TITLE = "Catalogue et tarifs"
DEFAULT_VAT = "taux par défaut du prestataire"
RATE_EXAMPLE = "par exemple 20 ou 5,5"

W = TypeVar("W", bound=QWidget)


def percent(rate: Decimal) -> str:
    """``Decimal("5.50")`` → « 5,5 % »."""
    return f"{format(rate.normalize(), 'f').replace('.', ',')}\u00a0%"


def vat_text(item: CatalogueItem) -> str:
    rate = percent(item.effective_vat_rate)
    return f"{rate} (défaut)" if item.uses_default_vat else rate


def price_text(item: CatalogueItem) -> str:
    return "—" if item.current_price is None else money(item.current_price)


def _status(item: CatalogueItem) -> str:
    return "Proposée" if item.active else "Retirée"


def _muted(item: CatalogueItem) -> str | None:
    return None if item.active else GREY


PLAN_COLUMNS = (
    RowColumn("Code", lambda p: p.code, 150, colour=_muted),
    RowColumn("Nom", lambda p: p.name, 250, colour=_muted),
    RowColumn("Gamme", lambda p: p.product_line_name, 130, colour=_muted),
    RowColumn("Quota", lambda p: f"{p.quota_gb} Go — {p.mailbox_kind.label}", 150),
    RowColumn("TVA", vat_text, 95, right=True),
    RowColumn("Prix HT actuel", price_text, 110, right=True),
    RowColumn("Statut", _status, 80, colour=_muted),
)

OPTION_COLUMNS = (
    RowColumn("Code", lambda o: o.code, 150, colour=_muted),
    RowColumn("Nom", lambda o: o.name, 250, colour=_muted),
    RowColumn("Gamme", lambda o: o.product_line_name or "Toutes", 130, colour=_muted),
    RowColumn("Facturation", lambda o: f"{o.category.label} — {o.billing.label}", 210),
    RowColumn("TVA", vat_text, 95, right=True),
    RowColumn("Prix HT actuel", price_text, 110, right=True),
    RowColumn("Statut", _status, 80, colour=_muted),
)


def _last_day(price: PriceRow) -> str:
    """The last day a price applies (``valid_to`` is excluded); « — » while it runs on."""
    return "—" if price.valid_to is None else french_date(price.valid_to - timedelta(days=1))


def history_columns(today: date) -> tuple[RowColumn, ...]:
    def current(price: PriceRow) -> bool:
        return price.valid_on(today)

    return (
        RowColumn("Du", lambda p: french_date(p.valid_from), 100, bold=current),
        RowColumn("Au (inclus)", _last_day, 100, bold=current),
        RowColumn("Montant HT", lambda p: money(p.amount), 110, right=True, bold=current),
        RowColumn("", lambda p: "en vigueur" if current(p) else "", 90, colour=lambda _p: GREY),
    )


def parse_rate(text: str) -> Decimal:
    """« 5,5 », « 5.5 % », « 20 » → Decimal; else InvalidValue."""
    value = text.strip().removesuffix("%").strip().replace(",", ".")
    try:
        rate = Decimal(value)
    except InvalidOperation:
        raise InvalidValue(f"Taux en pourcentage attendu ({RATE_EXAMPLE}).") from None
    if not rate.is_finite():
        raise InvalidValue(f"Taux en pourcentage attendu ({RATE_EXAMPLE}).")
    return rate


def owner_of(item: CatalogueItem) -> tuple[int | None, int | None]:
    """The ``plan_id`` and ``option_id`` the services take to name ``item``."""
    return (item.id, None) if isinstance(item, PlanRow) else (None, item.id)


def first_of_next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


# --- a small form saved on the worker ---------------------------------------------------


class FormDialog(QDialog):
    """Fields with their message under them; « Enregistrer » runs ``save`` on the worker.

    ``read`` turns the widgets into the service's arguments or raises ValidationError
    (keys as the service's); the service's own refusals land under the same fields.
    """

    def __init__(self, parent: QWidget, worker: DbWorker, title: str, intro: str = "") -> None:
        super().__init__(parent)
        self.worker = worker
        self.result_value: Any = None
        self._busy = False
        self.setWindowTitle(title)
        self.setModal(True)
        self.errors: dict[str, ErrorLabel] = {}
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.general = ErrorLabel(self)
        buttons = QDialogButtonBox(self)
        self.save_button = buttons.addButton("Enregistrer", QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = buttons.addButton("Annuler", QDialogButtonBox.ButtonRole.RejectRole)
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        self.cancel_button.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 14, 14, 12)
        layout.setSpacing(10)
        if intro:
            note = QLabel(intro, self)
            note.setWordWrap(True)
            layout.addWidget(note)
        layout.addLayout(self.form)
        layout.addWidget(self.general)
        layout.addStretch(1)
        layout.addWidget(buttons)
        self.setMinimumWidth(480)

    def add_row(self, key: str, label: str, widget: W) -> W:
        """``widget`` on a line of the form, its messages (key ``key``) under it."""
        holder = QWidget(self)
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(widget)
        error = ErrorLabel(holder)
        error.setObjectName(f"{key}_error")
        column.addWidget(error)
        self.errors[key] = error
        if label:
            self.form.addRow(label, holder)
        else:
            self.form.addRow(holder)
        return widget

    def message(self, key: str) -> str:
        """The message shown for ``key`` ("" when none)."""
        label = self.errors.get(key, self.general)
        return label.text() if not label.isHidden() else ""

    def show_errors(self, errors: Mapping[str, str]) -> None:
        others = [text for key, text in errors.items() if key not in self.errors]
        for key, label in self.errors.items():
            label.set_message(errors.get(key, ""))
        self.general.set_message("\n".join(others))
        self._fit()

    def _fit(self) -> None:
        """Grow to show every message whole (word-wrapped labels need the height)."""
        layout = self.layout()
        if layout is not None and self.isVisible():
            layout.activate()
            needed = layout.totalHeightForWidth(self.width())
            if needed > self.height():
                self.resize(self.width(), needed)

    def read(self) -> dict[str, Any]:  # pragma: no cover - every form has its own
        raise NotImplementedError

    def work(self, values: dict[str, Any]) -> Any:  # pragma: no cover
        raise NotImplementedError

    def check(self) -> dict[str, Any] | None:
        """The values read, or None with the messages shown."""
        try:
            values = self.read()
        except ValidationError as exc:
            self.show_errors(exc.errors)
            return None
        self.show_errors({})
        return values

    def save(self) -> None:
        if self._busy:
            return
        values = self.check()
        if values is None:
            return
        self._set_busy(True)
        self.worker.submit(Job(lambda: self.work(values), self._saved, self._failed))

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.save_button.setEnabled(not busy)
        self.cancel_button.setEnabled(not busy)

    def _saved(self, result: Any) -> None:
        self._set_busy(False)
        self.result_value = result
        self.accept()

    def _failed(self, error: Exception) -> None:
        self._set_busy(False)
        if isinstance(error, ValidationError):
            self.show_errors(error.errors)
        elif isinstance(error, UserError):
            self.general.set_message(error.message)
        else:
            self.general.set_message(unexpected_error_message(error))


def _collect(errors: dict[str, str], key: str, read: Callable[[], Any]) -> Any:
    try:
        return read()
    except InvalidValue as exc:
        errors[key] = exc.message
        return None


def _amount(errors: dict[str, str], text: str) -> Decimal | None:
    if not text.strip():
        errors["amount"] = "Indiquez le montant HT, par exemple 12,50."
        return None
    amount = _collect(errors, "amount", lambda: parse_amount(text))
    if amount is None:
        return None
    checked, amount_errors = check_amount(amount)
    errors.update(amount_errors)
    return checked


def _start(errors: dict[str, str], text: str) -> date | None:
    start: date | None = _collect(
        errors, "valid_from", lambda: read_date(text, "Indiquez la date de début.")
    )
    return start


class PriceDialog(FormDialog):
    """« Nouveau tarif… »: an amount excl. VAT from a date."""

    def __init__(
        self, parent: QWidget, worker: DbWorker, db: Database, actor: str, item: CatalogueItem
    ) -> None:
        intro = (
            f"Nouveau tarif de « {item.name} » ({item.code}). Le tarif en cours s'arrête la "
            "veille ; les factures déjà émises gardent les prix qu'elles ont appliqués."
        )
        super().__init__(parent, worker, "Nouveau tarif", intro)
        self.db, self.actor, self.item = db, actor, item
        self.amount = AmountField()
        self.amount.setObjectName("amount")
        self.start = DateField(first_of_next_month(paris_today()))
        self.start.setObjectName("valid_from")
        self.add_row("amount", "Montant HT (€)", self.amount)
        self.add_row("valid_from", "À partir du", self.start)
        self.amount.textChanged.connect(lambda _text: self._typed("amount"))
        self.start.textChanged.connect(lambda _text: self._typed("valid_from"))

    def _typed(self, key: str) -> None:
        errors: dict[str, str] = {}
        if key == "amount":
            _amount(errors, self.amount.text())
        else:
            _start(errors, self.start.text())
        self.errors[key].set_message(errors.get(key, ""))
        self._fit()

    def read(self) -> dict[str, Any]:
        errors: dict[str, str] = {}
        values = {
            "amount": _amount(errors, self.amount.text()),
            "valid_from": _start(errors, self.start.text()),
        }
        if errors:
            raise ValidationError(errors)
        return values

    def work(self, values: dict[str, Any]) -> PriceRow:
        return service.add_price(
            self.db,
            plan_id=owner_of(self.item)[0],
            option_id=owner_of(self.item)[1],
            amount=values["amount"],
            valid_from=values["valid_from"],
            actor=self.actor,
        )


class VatDialog(FormDialog):
    """« Taux de TVA… »: the item's own rate, or the provider's default one."""

    def __init__(
        self,
        parent: QWidget,
        worker: DbWorker,
        db: Database,
        actor: str,
        item: CatalogueItem,
        default_rate: Decimal,
    ) -> None:
        intro = (
            f"Taux de TVA de « {item.name} » ({item.code}), appliqué par les prochaines "
            "facturations ; les factures déjà faites gardent le leur."
        )
        super().__init__(parent, worker, "Taux de TVA", intro)
        self.db, self.actor, self.item = db, actor, item
        self.default_choice = QRadioButton(
            f"Taux par défaut du prestataire ({percent(default_rate)})"
        )
        self.own_choice = QRadioButton("Taux propre :")
        group = QButtonGroup(self)
        group.addButton(self.default_choice)
        group.addButton(self.own_choice)
        self.rate = QLineEdit()
        self.rate.setObjectName("vat_rate")
        self.rate.setPlaceholderText(RATE_EXAMPLE)
        self.rate.setMaximumWidth(
            self.rate.fontMetrics().horizontalAdvance("par exemple 20,00") + 30
        )
        own = QWidget(self)
        line = QHBoxLayout(own)
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(self.own_choice)
        line.addWidget(self.rate)
        line.addWidget(QLabel("%"))
        line.addStretch(1)
        self.form.addRow(self.default_choice)
        self.add_row("vat_rate", "", own)
        if item.vat_rate is None:
            self.default_choice.setChecked(True)
        else:
            self.own_choice.setChecked(True)
            self.rate.setText(format(item.vat_rate.normalize(), "f").replace(".", ","))
        self.rate.textEdited.connect(lambda _text: self.own_choice.setChecked(True))
        self.rate.textChanged.connect(lambda _text: self.errors["vat_rate"].set_message(""))

    def read(self) -> dict[str, Any]:
        if self.default_choice.isChecked():
            return {"rate": None}
        errors: dict[str, str] = {}
        rate = _collect(errors, "vat_rate", lambda: parse_rate(self.rate.text()))
        if rate is not None:
            rate, rate_errors = check_vat_rate(rate)
            errors.update(rate_errors)
        if errors:
            raise ValidationError(errors)
        return {"rate": rate}

    def work(self, values: dict[str, Any]) -> CatalogueItem:
        return service.set_vat_rate(
            self.db,
            plan_id=owner_of(self.item)[0],
            option_id=owner_of(self.item)[1],
            rate=values["rate"],
            expected_version=self.item.version,
            actor=self.actor,
        )


class NewItemDialog(FormDialog):
    """« Nouvelle formule… » / « Nouvelle option… »: identity, terms, first price."""

    def __init__(
        self,
        parent: QWidget,
        worker: DbWorker,
        db: Database,
        actor: str,
        catalogue: Catalogue,
        *,
        plan: bool,
    ) -> None:
        title = "Nouvelle formule" if plan else "Nouvelle option ou prestation"
        super().__init__(parent, worker, title)
        self.db, self.actor, self.plan = db, actor, plan
        self.lines = [(line.id, line.name) for line in catalogue.product_lines]
        self.code = self.add_row("code", "Code", QLineEdit())
        self.code.setObjectName("code")
        self.code.setMaxLength(40)
        self.code.setPlaceholderText("par exemple HEX-50")
        self.name = self.add_row("name", "Nom", QLineEdit())
        self.name.setObjectName("name")
        self.name.setMaxLength(100)
        self.line = self.add_row("product_line_id", "Gamme", LineCombo(self.lines, not plan))
        if plan:
            self.quota = self.add_row("quota_gb", "Quota (Go)", QSpinBox())
            self.quota.setRange(1, service.MAX_QUOTA_GB)
            self.quota.setValue(50)
            self.kind = self.add_row("mailbox_kind", "Type de boîte", EnumCombo(MailboxKind))
        else:
            self.category = self.add_row("category", "Catégorie", EnumCombo(OptionCategory))
            self.billing = self.add_row("billing", "Facturation", EnumCombo(OptionBilling))
        self.amount = self.add_row("amount", "Premier tarif HT (€)", AmountField())
        self.start = self.add_row("valid_from", "À partir du", DateField(paris_today()))

    def read(self) -> dict[str, Any]:
        errors: dict[str, str] = {}
        values: dict[str, Any] = {
            "code": self.code.text(),
            "name": self.name.text(),
            "product_line_id": self.line.value(),
            "amount": _amount(errors, self.amount.text()),
            "valid_from": _start(errors, self.start.text()),
        }
        if self.plan:
            values |= {"quota_gb": self.quota.value(), "mailbox_kind": self.kind.value()}
        else:
            values |= {"category": self.category.value(), "billing": self.billing.value()}
        if errors:
            raise ValidationError(errors)
        return values

    def work(self, values: dict[str, Any]) -> CatalogueItem:
        if self.plan:
            return service.create_plan(self.db, **values, actor=self.actor)
        return service.create_option(self.db, **values, actor=self.actor)


class LineCombo(QComboBox):
    """The product lines by id, « Toutes les gammes » (None) first when ``any_line``."""

    def __init__(self, lines: list[tuple[int, str]], any_line: bool) -> None:
        super().__init__()
        self._ids: list[int | None] = [None] if any_line else []
        if any_line:
            self.addItem("Toutes les gammes")
        for line_id, name in lines:
            self._ids.append(line_id)
            self.addItem(name)

    def value(self) -> int | None:
        row = self.currentIndex()
        return self._ids[row] if 0 <= row < len(self._ids) else None


# --- the catalogue window ---------------------------------------------------------------


@dataclass(frozen=True)
class TabSpec:
    title: str
    columns: tuple[RowColumn, ...]
    new_caption: str
    plans: bool


PLANS_TAB = TabSpec("Formules", PLAN_COLUMNS, "Nouvelle formule…", True)
OPTIONS_TAB = TabSpec("Options et prestations", OPTION_COLUMNS, "Nouvelle option…", False)


class CatalogueTab(QWidget):
    """The items of one kind, and the price history of the selected one with its actions."""

    def __init__(self, dialog: CatalogueDialog, spec: TabSpec) -> None:
        super().__init__(dialog)
        self.dialog = dialog
        self.spec = spec
        self.items = RowsModel(spec.columns, self)
        self.table: QTableView = rows_table(self.items)
        self.table.setObjectName("items")
        self.history = RowsModel(history_columns(paris_today()), self)
        self.history_table: QTableView = rows_table(self.history)
        self.history_table.setObjectName("history")
        self.table.selectionModel().currentRowChanged.connect(lambda *_args: self._selected())

        self.price_button = self._button("Nouveau tarif…", dialog.new_price)
        self.vat_button = self._button("Taux de TVA…", dialog.change_vat)
        self.active_button = self._button("Retirer du catalogue", dialog.toggle_active)
        self.new_button = self._button(spec.new_caption, dialog.new_item)
        self.group = QGroupBox("Historique des tarifs", self)
        history = QHBoxLayout(self.group)
        history.addWidget(self.history_table, 1)
        actions = QVBoxLayout()
        for button in (self.price_button, self.vat_button, self.active_button):
            actions.addWidget(button)
        actions.addStretch(1)
        history.addLayout(actions)

        top = QHBoxLayout()
        top.addStretch(1)
        top.addWidget(self.new_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 3)
        layout.addWidget(self.group, 2)
        self._selected()

    def _button(self, caption: str, slot: Callable[[], object]) -> QPushButton:
        button = QPushButton(caption, self)
        button.setAutoDefault(False)
        button.clicked.connect(slot)
        return button

    def selected(self) -> CatalogueItem | None:
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        item: CatalogueItem = self.items.row(index.row())
        return item

    def set_items(self, items: tuple[CatalogueItem, ...], keep: int | None = None) -> None:
        """Show ``items``; the row of id ``keep`` (else the one selected, else the first)."""
        current = self.selected()
        wanted = keep if keep is not None else (None if current is None else current.id)
        self.items.set_rows(items)
        row = next((i for i, item in enumerate(items) if item.id == wanted), 0)
        if items:
            self.table.selectRow(row)
        self._selected()

    def select(self, code: str) -> CatalogueItem:
        """Select the item of ``code`` (tests, keyboard-free)."""
        row = next(i for i, item in enumerate(self.items.rows()) if item.code == code)
        self.table.selectRow(row)
        item = self.selected()
        assert item is not None
        return item

    def _selected(self) -> None:
        item = self.selected()
        self.history.set_rows([] if item is None else list(reversed(item.prices)))
        self.group.setTitle(
            "Historique des tarifs" if item is None else f"Historique des tarifs — {item.name}"
        )
        for button in (self.price_button, self.vat_button, self.active_button):
            button.setEnabled(item is not None and not self.dialog.busy)
        self.new_button.setEnabled(not self.dialog.busy)
        if item is not None:
            self.active_button.setText(
                "Retirer du catalogue" if item.active else "Proposer de nouveau"
            )
            self.active_button.setToolTip(
                "Plus proposée pour de nouvelles souscriptions ; celles en cours restent facturées."
                if item.active
                else "De nouveau proposée pour de nouvelles souscriptions."
            )


class CatalogueDialog(QDialog):
    """The catalogue: « Formules » and « Options et prestations », with their prices."""

    def __init__(
        self, parent: QWidget | None, *, db: Database, worker: DbWorker, actor: str
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.worker = worker
        self.actor = actor
        self.catalogue: Catalogue | None = None
        self.busy = False
        self._alive = True
        self.setWindowTitle(TITLE)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.finished.connect(self._closed)

        self.status = QLabel("Chargement du catalogue…", self)
        self.status.setWordWrap(True)
        reload_button = QPushButton("Actualiser", self)
        reload_button.setAutoDefault(False)
        reload_button.clicked.connect(lambda: self.load())
        self.error = ErrorLabel(self)
        self.plans_tab = CatalogueTab(self, PLANS_TAB)
        self.options_tab = CatalogueTab(self, OPTIONS_TAB)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self.plans_tab, PLANS_TAB.title)
        self.tabs.addTab(self.options_tab, OPTIONS_TAB.title)
        buttons = QDialogButtonBox(self)
        close = buttons.addButton("Fermer", QDialogButtonBox.ButtonRole.RejectRole)
        close.setAutoDefault(False)
        close.clicked.connect(self.reject)

        top = QHBoxLayout()
        top.addWidget(self.status, 1)
        top.addWidget(reload_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.error)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(buttons)
        self.resize(1080, 640)
        self.load()

    @property
    def current_tab(self) -> CatalogueTab:
        return self.plans_tab if self.tabs.currentIndex() == 0 else self.options_tab

    def _closed(self) -> None:
        self._alive = False

    # --- reading ------------------------------------------------------------------------

    def load(self, keep: int | None = None) -> None:
        """Read the catalogue in the background; ``keep`` stays selected on the current tab."""
        tab = self.current_tab
        self.worker.submit(
            Job(
                work=lambda: service.catalogue(self.db),
                on_done=lambda found: self._loaded(found, tab, keep),
                on_error=self._load_failed,
                is_stale=lambda: not self._alive,
            )
        )

    def _loaded(self, found: Catalogue, tab: CatalogueTab, keep: int | None) -> None:
        if not self._alive:
            return
        self.catalogue = found
        self.error.set_message("")
        self.plans_tab.set_items(found.plans, keep if tab is self.plans_tab else None)
        self.options_tab.set_items(found.options, keep if tab is self.options_tab else None)
        self.status.setText(
            f"Prix hors taxes en vigueur au {french_date(found.day)}. Sans taux propre, une "
            f"formule ou une option suit le taux de TVA par défaut du prestataire "
            f"({percent(found.default_vat_rate)})."
        )

    def _load_failed(self, error: Exception) -> None:
        if self._alive:
            self.status.setText("Le catalogue n'a pas pu être lu.")
            self.error.set_message(_message(error))

    # --- actions ------------------------------------------------------------------------

    def new_price(self) -> FormDialog | None:
        item = self.current_tab.selected()
        if item is None:
            return None
        return self._open_form(PriceDialog(self, self.worker, self.db, self.actor, item), item.id)

    def change_vat(self) -> FormDialog | None:
        item = self.current_tab.selected()
        if item is None or self.catalogue is None:
            return None
        form = VatDialog(
            self, self.worker, self.db, self.actor, item, self.catalogue.default_vat_rate
        )
        return self._open_form(form, item.id)

    def new_item(self) -> FormDialog | None:
        if self.catalogue is None:
            return None
        plans = self.current_tab.spec.plans
        form = NewItemDialog(self, self.worker, self.db, self.actor, self.catalogue, plan=plans)
        return self._open_form(form, None)

    def _open_form(self, form: FormDialog, keep: int | None) -> FormDialog:
        form.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def done(result: int) -> None:
            if result == QDialog.DialogCode.Accepted:
                saved = form.result_value
                self.load(keep if keep is not None else getattr(saved, "id", None))

        form.finished.connect(done)
        form.open()
        return form

    def toggle_active(self) -> None:
        item = self.current_tab.selected()
        if item is None or self.busy:
            return

        def work() -> CatalogueItem:
            return service.set_active(
                self.db,
                plan_id=owner_of(item)[0],
                option_id=owner_of(item)[1],
                active=not item.active,
                expected_version=item.version,
                actor=self.actor,
            )

        self._set_busy(True)
        self.worker.submit(
            Job(work, lambda _row: self._changed(item.id), lambda exc: self._failed(exc, item.id))
        )

    def _changed(self, item_id: int) -> None:
        self._set_busy(False)
        self.load(item_id)

    def _failed(self, error: Exception, item_id: int) -> None:
        self._set_busy(False)
        QMessageBox.warning(self, TITLE, _message(error))
        if isinstance(error, ConflictError):
            self.load(item_id)

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        for tab in (self.plans_tab, self.options_tab):
            tab._selected()


def _message(error: Exception) -> str:
    return error.message if isinstance(error, UserError) else unexpected_error_message(error)


def open_catalogue(
    parent: QWidget, *, db: Database, worker: DbWorker, actor: str
) -> CatalogueDialog:
    """The catalogue window of ``parent`` (one at a time), shown and raised."""
    dialog = next(
        (d for d in parent.findChildren(CatalogueDialog) if d.isVisible()), None
    ) or CatalogueDialog(parent, db=db, worker=worker, actor=actor)
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
    return dialog
