"""« Fichier > Données personnelles… »: retention periods and the purge; « Anonymiser… ».

The dialog shows the three retention periods (saved like any setting, a
conflict offering to reload), the list of what the purge would anonymise today
(and the clients kept, with why), and « Anonymiser maintenant » once the count
is confirmed. The record views of a terminated client and of a deleted mailbox
get an « Anonymiser… » button (:func:`add_anonymise_client_action`,
:func:`add_anonymise_mailbox_action`) whose confirmation says that invoices stay.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.db.engine import Database
from desktop.domain.clock import paris_today
from desktop.domain.enums import ClientKind, ClientStatus, MailboxStatus
from desktop.domain.errors import ValidationError
from desktop.domain.roles import Permission
from desktop.errors import ConflictError, UserError
from desktop.services.clients import ClientDetails
from desktop.services.mailboxes import MailboxDetails
from desktop.services.personal_data import (
    MAX_MONTHS,
    MIN_MONTHS,
    Anonymised,
    PurgePlan,
    RetentionSettings,
    anonymise_client,
    anonymise_mailbox,
    is_anonymous_mailbox,
    plan_purge,
    retention_settings,
    run_purge,
    save_retention_settings,
)
from desktop.ui.formatting import GREEN, french_date
from desktop.ui.widgets.client_field import hint_label
from desktop.ui.widgets.record_dialog import ask_reload
from desktop.ui.widgets.validated_form import ErrorLabel

if TYPE_CHECKING:
    from desktop.ui.views.base import RecordView

TITLE = "Données personnelles"
ANONYMISE = "Anonymiser…"
KEPT_NOTE = (
    "Les factures et avoirs émis restent tels quels (conservation légale de 10 ans) : "
    "leur chaîne d'intégrité n'est pas modifiée."
)
_PERIODS = (
    ("prospect_months", "Prospects sans suite", "depuis leur dernière modification ou devis"),
    ("client_months", "Clients résiliés", "depuis la fin de la relation"),
    ("mailbox_months", "Boîtes supprimées", "depuis leur suppression"),
)
_HEADERS = ("Quoi", "Client ou boîte", "Échue le", "Pourquoi")


class PersonalDataDialog(QDialog):
    def __init__(
        self, parent: QWidget | None, *, db: Database, actor: str, today: date | None = None
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.actor = actor
        self.at = today or paris_today()
        self.settings = retention_settings(db)
        self.plan: PurgePlan | None = None
        self.setWindowTitle(TITLE)
        layout = QVBoxLayout(self)
        layout.addWidget(self._retention_box())
        layout.addWidget(self._purge_box(), 1)
        buttons = QDialogButtonBox()
        buttons.addButton("Fermer", QDialogButtonBox.ButtonRole.RejectRole).clicked.connect(
            self.reject
        )
        layout.addWidget(buttons)
        self.resize(860, 560)
        self.show_settings(self.settings)
        self.refresh_plan()

    # --- retention periods --------------------------------------------------------------

    def _retention_box(self) -> QGroupBox:
        box = QGroupBox("Durées de conservation")
        layout = QVBoxLayout(box)
        self.general = ErrorLabel(self)
        layout.addWidget(self.general)
        form = QFormLayout()
        self.spins: dict[str, QSpinBox] = {}
        self.errors: dict[str, ErrorLabel] = {}
        for name, caption, hint in _PERIODS:
            spin = QSpinBox()
            spin.setRange(MIN_MONTHS, MAX_MONTHS)
            spin.setSuffix(" mois")
            self.spins[name] = spin
            self.errors[name] = ErrorLabel(self)
            line = QHBoxLayout()
            line.addWidget(spin)
            line.addWidget(hint_label(hint), 1)
            holder = QVBoxLayout()
            holder.addLayout(line)
            holder.addWidget(self.errors[name])
            form.addRow(caption, holder)
        layout.addLayout(form)
        row = QHBoxLayout()
        row.addStretch(1)
        self.save_button = QPushButton("Enregistrer les durées")
        self.save_button.clicked.connect(self.save_settings)
        row.addWidget(self.save_button)
        layout.addLayout(row)
        return box

    def show_settings(self, settings: RetentionSettings) -> None:
        self.settings = settings
        for name, spin in self.spins.items():
            spin.setValue(getattr(settings, name))

    def value(self) -> RetentionSettings:
        months = {name: spin.value() for name, spin in self.spins.items()}
        return RetentionSettings(**months, version=self.settings.version)

    def save_settings(self) -> None:
        for label in (*self.errors.values(), self.general):
            label.set_message("")
        try:
            saved = save_retention_settings(
                self.db, self.value(), expected_version=self.settings.version, actor=self.actor
            )
        except ValidationError as exc:
            for key, message in exc.errors.items():
                self.errors.get(key, self.general).set_message(message)
            return
        except ConflictError as exc:
            if self.ask_reload(exc.message):
                self.show_settings(retention_settings(self.db))
            return
        except UserError as exc:
            self.general.set_message(exc.message)
            return
        self.show_settings(saved)
        self.refresh_plan()
        self.say("Durées de conservation enregistrées.")

    def ask_reload(self, message: str) -> bool:
        """After a conflict: True when the user chose to see the saved periods."""
        detail = "« Recharger » affiche les durées enregistrées par l'autre poste."
        return ask_reload(self, message, title=TITLE, detail=detail)

    # --- the purge ----------------------------------------------------------------------

    def _purge_box(self) -> QGroupBox:
        box = QGroupBox(f"À anonymiser au {french_date(self.at)}")
        layout = QVBoxLayout(box)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.table = _table(_HEADERS)
        layout.addWidget(self.table, 2)
        self.held_title = QLabel("Conservés malgré la durée écoulée :")
        layout.addWidget(self.held_title)
        self.held = _table(("Client", "Pourquoi"))
        layout.addWidget(self.held, 1)
        layout.addWidget(hint_label(KEPT_NOTE))
        row = QHBoxLayout()
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet(f"color: {GREEN};")
        row.addWidget(self.notice, 1)
        self.purge_button = QPushButton("Anonymiser maintenant")
        self.purge_button.clicked.connect(self.purge)
        row.addWidget(self.purge_button)
        layout.addLayout(row)
        return box

    def refresh_plan(self) -> None:
        plan = plan_purge(self.db, self.at)
        self.plan = plan
        rows = [
            (item.kind.label, item.label, french_date(item.due_on), item.why) for item in plan.items
        ]
        _fill(self.table, rows)
        _fill(self.held, [(held.label, held.why) for held in plan.held])
        self.held_title.setVisible(bool(plan.held))
        self.held.setVisible(bool(plan.held))
        count = len(plan.items)
        self.summary.setText(
            f"{count} élément(s) dont la durée de conservation est écoulée."
            if count
            else "Rien à anonymiser aujourd'hui."
        )
        self.purge_button.setEnabled(count > 0)

    def confirm_purge(self, count: int) -> bool:
        return confirm(
            self,
            f"Anonymiser définitivement {count} élément(s) ? Noms, adresses, e-mails et "
            f"téléphones seront remplacés sans retour possible. {KEPT_NOTE}",
        )

    def purge(self) -> None:
        plan = self.plan
        if plan is None or not plan.items or not self.confirm_purge(len(plan.items)):
            return
        try:
            report = run_purge(self.db, self.at, actor=self.actor, expected=plan)
        except UserError as exc:
            QMessageBox.warning(self, TITLE, exc.message)
            self.refresh_plan()
            return
        self.refresh_plan()
        self.say(f"{report.count} élément(s) anonymisé(s).")

    def say(self, text: str) -> None:
        self.notice.setText(text)


def _table(headers: tuple[str, ...]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    table.setWordWrap(False)
    return table


def _fill(table: QTableWidget, rows: Sequence[tuple[str, ...]]) -> None:
    table.setRowCount(len(rows))
    for row, values in enumerate(rows):
        for column, value in enumerate(values):
            item = QTableWidgetItem(value)
            item.setToolTip(value)
            table.setItem(row, column, item)


def open_personal_data(parent: QWidget, db: Database, actor: str) -> PersonalDataDialog:
    dialog = PersonalDataDialog(parent, db=db, actor=actor)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog


# --- « Anonymiser… » on a record ------------------------------------------------------


def add_anonymise_client_action(view: RecordView, record: ClientDetails) -> None:
    """The button on a terminated client or a prospect (the service says if it may)."""
    if record.status in (ClientStatus.TERMINATED, ClientStatus.PROSPECT):
        question = (
            f"Anonymiser le client {record.code} ? Ses contacts, e-mails, téléphones, notes, "
            "mandats SEPA et boîtes aux lettres seront anonymisés"
            + (", ainsi que son nom et son adresse" if record.kind is ClientKind.CONSUMER else "")
            + f", sans retour possible. {KEPT_NOTE}"
        )
        work = lambda: anonymise_client(view.db, record.id, actor=view.actor)  # noqa: E731
        view.add_button(
            ANONYMISE, lambda: anonymise(view, question, work), needs=Permission.PERSONAL_DATA
        )


def add_anonymise_mailbox_action(view: RecordView, record: MailboxDetails) -> None:
    """The button on a deleted mailbox not anonymised yet."""
    if record.status is MailboxStatus.DELETED and not is_anonymous_mailbox(
        record.id, record.local_part
    ):
        question = (
            f"Anonymiser la boîte {record.display_address} ? Son adresse et le nom affiché "
            f"seront remplacés, sans retour possible. {KEPT_NOTE}"
        )
        work = lambda: anonymise_mailbox(view.db, record.id, actor=view.actor)  # noqa: E731
        view.add_button(
            ANONYMISE, lambda: anonymise(view, question, work), needs=Permission.PERSONAL_DATA
        )


def anonymise(view: RecordView, question: str, work: Callable[[], Anonymised]) -> None:
    """Ask, then anonymise; the view says what was done, or shows why it was refused."""
    if not confirm(view, question):
        return
    try:
        done = work()
    except UserError as exc:
        view.report(exc)
        return
    view.done(done.summary)


def confirm(parent: QWidget, question: str) -> bool:
    """True when the user clicked « Anonymiser » (« Annuler » is the default)."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(TITLE)
    box.setText(question)
    go = box.addButton("Anonymiser", QMessageBox.ButtonRole.AcceptRole)
    box.setDefaultButton(box.addButton("Annuler", QMessageBox.ButtonRole.RejectRole))
    box.exec()
    return box.clickedButton() is go
