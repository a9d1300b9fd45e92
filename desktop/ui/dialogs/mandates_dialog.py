"""« Mandats SEPA » of a client: the list, a new signed mandate, a revocation, the form printed.

Opened from the client record. A mandate is recorded once signed (the service gives it
its unique reference, the RUM); it is revoked at the debtor's request; the printed form
(« Imprimer le mandat ») is what the client signs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.addresses import PostalAddress
from desktop.domain.banking import normalize_bic, normalize_iban
from desktop.domain.clock import paris_today
from desktop.domain.enums import MandateStatus
from desktop.domain.errors import InvalidValue, ValidationError
from desktop.domain.roles import Permission
from desktop.errors import UserError
from desktop.services.choices import contract_choices
from desktop.services.listing import ListQuery
from desktop.services.mandates import (
    MandateDetails,
    create_mandate,
    list_mandates,
    revoke_mandate,
)
from desktop.ui.db_worker import DbWorker, Job
from desktop.ui.documents import Document, open_document
from desktop.ui.formatting import GREEN, GREY, french_date, plural
from desktop.ui.models.rows_model import ROW_ROLE, RowColumn, RowsModel, rows_table
from desktop.ui.role_gate import RoleGate
from desktop.ui.tabs.specs import CONTRACTS
from desktop.ui.widgets.busy_dialog import BusyDialog
from desktop.ui.widgets.date_field import DateField, date_value
from desktop.ui.widgets.validated_form import INVALID_STYLE, ValidatedForm, optional, required

if TYPE_CHECKING:
    from desktop.services.clients import ClientDetails
    from desktop.ui.views.base import RecordView

TITLE = "Mandats SEPA"
NEW = "Nouveau mandat…"
REVOKE = "Révoquer…"
PRINT = "Imprimer le mandat"
NO_CONTRACT = "Aucun : mandat pour tous les contrats du client"
HINT_STYLE = f"color: {GREY};"
NBSP = "\u00a0"


def grouped_iban(iban: str, space: str = " ") -> str:
    """« FR14 2004 1010 0505 0001 3M02 606 »."""
    return space.join(iban[i : i + 4] for i in range(0, len(iban), 4))


def mandate_document(db: Any, mandate_id: int, rum: str) -> Document:
    from desktop.documents.mandate_pdf import render_mandate
    from desktop.services.mandate_print import mandate_sheet

    sheet, provider = mandate_sheet(db, mandate_id)
    return Document(f"Mandat {rum}.pdf", render_mandate(sheet, provider).data)


@dataclass(frozen=True)
class MandateRow:
    mandate: MandateDetails
    contract: str  # its number, "" for a client-wide mandate


def _status_colour(row: MandateRow) -> str | None:
    return GREEN if row.mandate.status is MandateStatus.ACTIVE else GREY


COLUMNS = (
    RowColumn("RUM", lambda r: r.mandate.rum, 170),
    RowColumn("Contrat", lambda r: r.contract or "Tous", 100),
    RowColumn("Titulaire", lambda r: r.mandate.debtor_name, 170),
    RowColumn("IBAN", lambda r: grouped_iban(r.mandate.iban), 260),
    RowColumn("Signé le", lambda r: french_date(r.mandate.signed_on), 90),
    RowColumn(
        "État",
        lambda r: r.mandate.status.label,
        80,
        colour=_status_colour,
        tooltip=lambda r: (
            f"Révoqué le {french_date(r.mandate.revoked_on)}" if r.mandate.revoked_on else None
        ),
    ),
    RowColumn(
        "Dernier prélèvement", lambda r: french_date(r.mandate.last_collection_on) or "—", 120
    ),
)


@dataclass(frozen=True)
class Holder:
    """Who the mandate is for, as the form proposes it."""

    client_id: int
    name: str
    address: str


class MandatesDialog(QDialog):
    """The client's mandates, and what can be done with them."""

    changed = Signal()

    def __init__(
        self,
        parent: QWidget | None,
        db: Any,
        worker: DbWorker,
        holder: Holder,
        *,
        actor: str,
        gate: RoleGate | None = None,
    ) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(f"{TITLE} — {holder.name}")
        self.db = db
        self.worker = worker
        self.holder = holder
        self.actor = actor
        self.gate = gate or RoleGate()
        """The SEPA role may add or revoke mandates; every role may look and print."""
        self.contracts: dict[int, str] = {}
        self.form_dialog: MandateFormDialog | None = None
        self.revoke_dialog: RevokeDialog | None = None
        self._alive = True
        self.finished.connect(self._closed)

        layout = QVBoxLayout(self)
        layout.setSpacing(8)
        intro = QLabel(
            "Un mandat signé autorise le prélèvement des échéances. Sans contrat, il vaut "
            "pour tous les contrats du client ; inutilisé 36 mois, il devient caduc."
        )
        intro.setWordWrap(True)
        intro.setStyleSheet(HINT_STYLE)
        layout.addWidget(intro)
        self.model = RowsModel(COLUMNS, self)
        self.table = rows_table(self.model)
        self.table.setMinimumHeight(180)
        self.table.doubleClicked.connect(lambda _index: self.print_mandate())
        layout.addWidget(self.table, 1)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.status)

        bar = QHBoxLayout()
        self.new_button = QPushButton(NEW)
        self.revoke_button = QPushButton(REVOKE)
        self.print_button = QPushButton(PRINT)
        self.close_button = QPushButton("Fermer")
        self.new_button.clicked.connect(self.new_mandate)
        self.revoke_button.clicked.connect(self.revoke)
        self.print_button.clicked.connect(self.print_mandate)
        self.close_button.clicked.connect(self.accept)
        for button in (self.new_button, self.revoke_button, self.print_button):
            bar.addWidget(button)
        bar.addStretch(1)
        bar.addWidget(self.close_button)
        layout.addLayout(bar)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self._selection_changed()
        self.resize(1060, 420)
        self.refresh()

    # --- the list -----------------------------------------------------------------------

    def refresh(self, select: int | None = None) -> None:
        client_id = self.holder.client_id

        def fetch() -> tuple[list[MandateDetails], dict[int, str]]:
            mandates = list_mandates(self.db, client_id)
            wanted = {m.contract_id for m in mandates if m.contract_id is not None}
            numbers: dict[int, str] = {}
            if wanted:
                query = ListQuery(filters={"client_id": client_id}, limit=500, count=False)
                numbers = {
                    row.id: row.number
                    for row in CONTRACTS.fetch(self.db, query).rows
                    if row.id in wanted
                }
            return mandates, numbers

        self.worker.submit(
            Job(
                work=fetch,
                on_done=lambda result: self._show(*result, select=select),
                on_error=self._failed,
                is_stale=lambda: not self._alive,
            )
        )

    def _show(
        self, mandates: list[MandateDetails], numbers: dict[int, str], *, select: int | None
    ) -> None:
        if not self._alive:
            return
        current = self.selected()
        keep = select if select is not None else (current.id if current else None)
        self.model.set_rows(
            [
                MandateRow(
                    m,
                    "" if m.contract_id is None else numbers.get(m.contract_id, "?"),
                )
                for m in mandates
            ]
        )
        row = next((i for i, m in enumerate(mandates) if m.id == keep), 0 if mandates else -1)
        if row >= 0:
            self.table.selectRow(row)
        self._selection_changed()
        if not self.status.property("kept"):
            active = sum(m.status is MandateStatus.ACTIVE for m in mandates)
            self._say(
                "Aucun mandat enregistré."
                if not mandates
                else f"{plural(len(mandates), 'mandat', 'mandats')}, dont "
                f"{plural(active, 'actif', 'actifs')}."
            )
        self.status.setProperty("kept", False)

    def mandates(self) -> list[MandateDetails]:
        return [row.mandate for row in self.model.rows()]

    def selected(self) -> MandateDetails | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        row: MandateRow = rows[0].data(ROW_ROLE)
        return row.mandate

    def _selection_changed(self, *_args: object) -> None:
        chosen = self.selected()
        self.print_button.setEnabled(chosen is not None)
        self.revoke_button.setEnabled(chosen is not None and chosen.status is MandateStatus.ACTIVE)
        for button in (self.new_button, self.revoke_button):
            self.gate.gate(button, Permission.SEPA)

    def _say(self, message: str, *, error: bool = False, keep: bool = False) -> None:
        self.status.setStyleSheet("color: #b3261e;" if error else HINT_STYLE)
        self.status.setText(message)
        self.status.setProperty("kept", keep)

    def _failed(self, error: Exception) -> None:
        if self._alive:
            self._say(getattr(error, "message", None) or str(error), error=True)

    def _closed(self) -> None:
        self._alive = False

    # --- actions ------------------------------------------------------------------------

    def new_mandate(self) -> MandateFormDialog:
        dialog = MandateFormDialog(self, self.db, self.worker, self.holder, actor=self.actor)
        dialog.completed.connect(self._created)
        self.form_dialog = dialog
        dialog.open()
        return dialog

    def _created(self, made: MandateDetails) -> None:
        self._say(f"Mandat {made.rum} enregistré.", keep=True)
        self.status.setStyleSheet(f"color: {GREEN};")
        self.refresh(select=made.id)
        self.changed.emit()

    def revoke(self) -> RevokeDialog | None:
        chosen = self.selected()
        if chosen is None or chosen.status is not MandateStatus.ACTIVE:
            return None
        dialog = RevokeDialog(self, self.worker, chosen, self.db, actor=self.actor)
        dialog.completed.connect(self._revoked)
        self.revoke_dialog = dialog
        dialog.open()
        return dialog

    def _revoked(self, revoked: MandateDetails) -> None:
        self._say(f"Mandat {revoked.rum} révoqué : il ne sera plus prélevé.", keep=True)
        self.refresh(select=revoked.id)
        self.changed.emit()

    def print_mandate(self) -> None:
        chosen = self.selected()
        if chosen is None:
            return
        db, mandate_id, rum = self.db, chosen.id, chosen.rum
        self._say("Préparation du mandat…")
        open_document(
            self,
            self.worker,
            lambda: mandate_document(db, mandate_id, rum),
            failed=self._failed,
        )


# --- the forms ----------------------------------------------------------------------------


class _FormDialog(BusyDialog):
    """A small form written on the database worker; refusals shown by their fields."""

    completed = Signal(object)

    def __init__(self, parent: QWidget | None, worker: DbWorker, *, title: str) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(title)
        self.setStyleSheet(INVALID_STYLE)
        self.worker = worker
        self.form = ValidatedForm(self)
        self.layout_ = QVBoxLayout(self)
        self.layout_.setSpacing(10)
        self.fields = QFormLayout()
        self.fields.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.fields.setVerticalSpacing(8)

    def _finish(self, action: str) -> None:
        self.layout_.addWidget(self.form.general_error)
        self.layout_.addLayout(self.fields)
        self.layout_.addStretch(1)
        buttons = QDialogButtonBox()
        self.action_button = buttons.addButton(action, QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = buttons.addButton("Annuler", QDialogButtonBox.ButtonRole.RejectRole)
        self.action_button.setDefault(True)
        self.action_button.clicked.connect(self.save)
        self.cancel_button.clicked.connect(self.reject)
        self.layout_.addWidget(buttons)
        self.form.validity_changed.connect(self.action_button.setEnabled)
        self.form.reset()
        self.action_button.setEnabled(self.form.is_valid)

    def write(self) -> Callable[[], Any]:
        raise NotImplementedError

    def save(self) -> None:
        if self._busy or not self.form.revalidate():
            return
        work = self.write()
        self._busy = True
        self.action_button.setEnabled(False)
        self.worker.submit(Job(work=work, on_done=self._saved, on_error=self._refused))

    def _saved(self, result: Any) -> None:
        self._busy = False
        self.completed.emit(result)
        self.accept()

    def _refused(self, error: Exception) -> None:
        self._busy = False
        if isinstance(error, ValidationError):
            self.form.show_errors(error.errors)
        elif isinstance(error, UserError):
            self.form.show_general(error.message)
        else:
            self.form.show_general(f"Enregistrement impossible : {error}")
        self.action_button.setEnabled(self.form.is_valid)


def _not_future(message: str) -> Callable[[str], date]:
    def validate(text: str) -> date:
        value = date_value("Indiquez la date.")(text)
        assert isinstance(value, date)
        if value > paris_today():
            raise InvalidValue(message)
        return value

    return validate


class MandateFormDialog(_FormDialog):
    """« Nouveau mandat » : the signed form typed in."""

    def __init__(
        self, parent: QWidget | None, db: Any, worker: DbWorker, holder: Holder, *, actor: str
    ) -> None:
        super().__init__(parent, worker, title=f"Nouveau mandat SEPA — {holder.name}")
        self.db = db
        self.holder = holder
        self.actor = actor
        intro = QLabel(
            "Saisissez le mandat tel que le client l'a signé. Sa référence unique (RUM) "
            "est attribuée à l'enregistrement."
        )
        intro.setWordWrap(True)
        self.layout_.addWidget(intro)

        self.contract = QComboBox()
        self.contract.addItem(NO_CONTRACT, None)
        for choice in contract_choices(db, holder.client_id):
            self.contract.addItem(choice.label, choice.id)
        self.debtor_name = QLineEdit(holder.name)
        self.debtor_address = QPlainTextEdit(holder.address)
        self.debtor_address.setTabChangesFocus(True)
        self.debtor_address.setFixedHeight(self.debtor_address.fontMetrics().lineSpacing() * 4 + 14)
        self.iban = QLineEdit()
        self.iban.setPlaceholderText("FR76 3000 6000 0112 3456 7890 189")
        self.bic = QLineEdit()
        self.bic.setPlaceholderText("ex. BNPAFRPP")
        self.bic.setMaximumWidth(self.bic.fontMetrics().horizontalAdvance("W" * 11) + 24)
        bic_hint = QLabel("facultatif")
        bic_hint.setStyleSheet(HINT_STYLE)
        self.signed_on = DateField(paris_today())
        form = self.form
        add_row = form.add_row
        add_row(self.fields, "Contrat", form.add("contract_id", self.contract, title="Contrat"))
        add_row(
            self.fields,
            "Titulaire du compte",
            form.add(
                "debtor_name",
                self.debtor_name,
                required("Indiquez le nom du titulaire du compte."),
                title="Titulaire",
            ),
        )
        add_row(
            self.fields,
            "Adresse",
            form.add("debtor_address", self.debtor_address, title="Adresse"),
        )
        add_row(
            self.fields,
            "IBAN",
            form.add("iban", self.iban, required("Indiquez l'IBAN.", normalize_iban), title="IBAN"),
        )
        add_row(
            self.fields,
            "BIC",
            form.add("bic", self.bic, optional(normalize_bic), title="BIC"),
            bic_hint,
        )
        add_row(
            self.fields,
            "Signé le",
            form.add(
                "signed_on",
                self.signed_on,
                _not_future("La date de signature ne peut pas être dans le futur."),
                title="Date de signature",
            ),
        )
        self._finish("Enregistrer le mandat")
        self.setMinimumWidth(620)
        self.iban.setFocus()

    def write(self) -> Callable[[], MandateDetails]:
        db, client_id, actor = self.db, self.holder.client_id, self.actor
        values = {
            "contract_id": self.contract.currentData(),
            "debtor_name": self.debtor_name.text(),
            "debtor_address": self.debtor_address.toPlainText(),
            "iban": self.iban.text(),
            "bic": self.bic.text() or None,
            "signed_on": self.form.value("signed_on"),
        }
        return lambda: create_mandate(db, client_id, actor=actor, **values)


class RevokeDialog(_FormDialog):
    """« Révoquer » : the date the debtor ended the mandate, and a confirmation."""

    def __init__(
        self,
        parent: QWidget | None,
        worker: DbWorker,
        mandate: MandateDetails,
        db: Any,
        *,
        actor: str,
    ) -> None:
        super().__init__(parent, worker, title=f"Révoquer le mandat {mandate.rum}")
        self.db = db
        self.mandate = mandate
        self.actor = actor
        intro = QLabel(
            f"Le mandat {mandate.rum} (IBAN {grouped_iban(mandate.iban, NBSP)}) ne sera plus "
            "prélevé. Un nouveau mandat signé sera nécessaire pour reprendre les prélèvements."
        )
        intro.setWordWrap(True)
        self.layout_.addWidget(intro)
        self.revoked_on = DateField(paris_today())
        self.confirm = QCheckBox("Je confirme la révocation de ce mandat.")
        self.form.add_row(
            self.fields,
            "Révoqué le",
            self.form.add(
                "revoked_on",
                self.revoked_on,
                _not_future("La date de révocation est dans le futur."),
                title="Date de révocation",
            ),
        )
        self.form.add_row(
            self.fields,
            "",
            self.form.add("confirmed", self.confirm, _ticked, title="Confirmation"),
        )
        self._finish("Révoquer le mandat")
        self.setMinimumWidth(540)

    def write(self) -> Callable[[], MandateDetails]:
        db, mandate_id, actor = self.db, self.mandate.id, self.actor
        on = self.form.value("revoked_on")
        return lambda: revoke_mandate(db, mandate_id, revoked_on=on, actor=actor)


def _ticked(checked: bool) -> bool:
    if not checked:
        raise InvalidValue("Cochez cette case pour confirmer.")
    return True


def open_mandates(view: RecordView, record: ClientDetails) -> MandatesDialog:
    """The « Mandats SEPA… » button of a client record."""
    address = PostalAddress(
        record.address_line1, record.address_line2, record.postcode, record.city, record.country
    )
    holder = Holder(record.id, record.name, "\n".join(address.lines))
    dialog = MandatesDialog(view, view.db, view.worker, holder, actor=view.actor, gate=view.gate)
    view.open_dialog(dialog)
    return dialog
