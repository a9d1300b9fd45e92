"""« Fichier > Journal d'audit… »: every change made in the database, read only.

Filters (user, kind of record, action, dates, free text) narrow the list,
newest first, loaded a page at a time (« Afficher plus »); the selected row's
fields show below, « avant → après » each. « Exporter (Excel)… » writes the
rows of the current filters to a workbook. Reading the trail is for
administrators: the service refuses anyone else, and the refusal is shown.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desktop.db.engine import Database
from desktop.domain.clock import paris_today
from desktop.domain.enums import AuditAction
from desktop.errors import UserError
from desktop.services.audit import (
    ENTITY_LABELS,
    AuditRow,
    FieldChange,
    audit_export,
    audit_users,
    list_audit,
)
from desktop.services.listing import ListQuery, Page
from desktop.ui.db_worker import DbWorker, Job
from desktop.ui.formatting import french_datetime, french_int
from desktop.ui.models.rows_model import RowColumn, RowsModel, rows_table
from desktop.ui.widgets.date_field import DateField
from desktop.ui.widgets.enum_combo import EnumCombo
from desktop.ui.workbook_path import ask_workbook_path

TITLE = "Journal d'audit"
PAGE_SIZE = 200
SEARCH_DELAY_MS = 300
FOLDER_KEY = "audit/export_folder"
ALL_USERS = "Tous les utilisateurs"
ALL_KINDS = "Tous les éléments"
ALL_ACTIONS = "Toutes les actions"

COLUMNS = (
    RowColumn("Date", lambda r: french_datetime(r.at), 130),
    RowColumn("Utilisateur", lambda r: r.user, 110),
    RowColumn("Élément", lambda r: r.element, 200),
    RowColumn("Action", lambda r: r.action.label, 130),
    RowColumn("Modifications", lambda r: r.summary, 500),
)

CHANGE_COLUMNS = (
    RowColumn("Champ", lambda c: c.label, 220),
    RowColumn("Avant", lambda c: c.before, 280),
    RowColumn("Après", lambda c: c.after, 280),
)


def count_text(shown: int, total: int | None) -> str:
    if total is None or shown >= total:
        return f"{french_int(shown)} ligne(s)"
    return f"{french_int(shown)} ligne(s) affichée(s) sur {french_int(total)}"


class AuditDialog(QDialog):
    """The audit trail viewer (see the module docstring)."""

    def __init__(
        self,
        parent: QWidget | None,
        *,
        db: Database,
        worker: DbWorker,
        actor: str,
        today: Callable[[], date] = paris_today,
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.worker = worker
        self.actor = actor
        self.today = today
        self._generation = 0
        self._total: int | None = None
        self.loading = False
        """True while a page or an export is on its way (for the tests)."""
        self.setWindowTitle(TITLE)
        self.resize(1150, 700)

        self.user = QComboBox(self)
        self.user.addItem(ALL_USERS, None)
        self.kind = QComboBox(self)
        self.kind.addItem(ALL_KINDS, None)
        for entity, label in sorted(ENTITY_LABELS.items(), key=lambda item: item[1]):
            self.kind.addItem(label, entity)
        self.action = EnumCombo(AuditAction, none_label=ALL_ACTIONS, parent=self)
        self.since = DateField(parent=self)
        self.until = DateField(parent=self)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Rechercher (utilisateur, valeur…)")
        self.search.setClearButtonEnabled(True)

        self.model = RowsModel(COLUMNS, self)
        self.table = rows_table(self.model)
        self.changes = RowsModel(CHANGE_COLUMNS, self)
        self.details = rows_table(self.changes)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.more_button = QPushButton("Afficher plus", self)
        self.more_button.setEnabled(False)
        self.export_button = QPushButton("Exporter (Excel)…", self)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._layout()
        self._connect()
        self._load_users()
        self.reload()

    # --- building -------------------------------------------------------------------------

    def _layout(self) -> None:
        filters = QGridLayout()
        filters.addWidget(QLabel("Utilisateur"), 0, 0)
        filters.addWidget(self.user, 0, 1)
        filters.addWidget(QLabel("Élément"), 0, 2)
        filters.addWidget(self.kind, 0, 3)
        filters.addWidget(QLabel("Action"), 0, 4)
        filters.addWidget(self.action, 0, 5)
        filters.addWidget(QLabel("Du"), 1, 0)
        dates = QHBoxLayout()
        dates.addWidget(self.since)
        dates.addWidget(QLabel("au"))
        dates.addWidget(self.until)
        dates.addStretch(1)
        filters.addLayout(dates, 1, 1)
        filters.addWidget(QLabel("Recherche"), 1, 2)
        filters.addWidget(self.search, 1, 3, 1, 3)
        filters.setColumnStretch(3, 1)

        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.table)
        splitter.addWidget(self.details)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)

        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.more_button)
        bottom.addWidget(self.export_button)
        close = QPushButton("Fermer", self)
        close.clicked.connect(self.reject)
        bottom.addWidget(close)

        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(splitter, 1)
        layout.addLayout(bottom)

    def _connect(self) -> None:
        for combo in (self.user, self.kind, self.action):
            combo.currentIndexChanged.connect(lambda _i: self.reload())
        for field in (self.since, self.until):
            field.editingFinished.connect(self.reload)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self._search_timer.timeout.connect(self.reload)
        self.more_button.clicked.connect(self.load_more)
        self.export_button.clicked.connect(self.export)
        selection = self.table.selectionModel()
        selection.currentRowChanged.connect(self._show_changes)

    # --- the query ------------------------------------------------------------------------

    def query(self) -> ListQuery:
        """The filters as typed, for the service (bad dates are left out)."""
        filters: dict[str, object] = {
            "user": self.user.currentData(),
            "entity": self.kind.currentData(),
            "action": self.action.value(),
            "since": self.since.date(),
            "until": self.until.date(),
        }
        return ListQuery(
            search=self.search.text(),
            filters={name: value for name, value in filters.items() if value is not None},
            limit=PAGE_SIZE,
        )

    def reload(self) -> None:
        """The first page for the current filters (answers to older filters are dropped)."""
        self._generation += 1
        self.model.set_rows([])
        self.changes.set_rows([])
        self.more_button.setEnabled(False)
        self._fetch(self.query(), append=False)

    def load_more(self) -> None:
        shown = self.model.rowCount()
        self.more_button.setEnabled(False)
        query = dataclasses.replace(self.query(), offset=shown, count=False)
        self._fetch(query, append=True)

    def _fetch(self, query: ListQuery, *, append: bool) -> None:
        generation = self._generation
        self.loading = True
        self.status.setText("Chargement…")
        self.worker.submit(
            Job(
                work=lambda: list_audit(self.db, query, actor=self.actor),
                on_done=lambda page: self._show(page, append=append, generation=generation),
                on_error=self._failed,
                is_stale=lambda: generation != self._generation,
            )
        )

    def _show(self, page: Page[AuditRow], *, append: bool, generation: int) -> None:
        if generation != self._generation:
            return
        self.loading = False
        rows = [*self.model.rows(), *page.rows] if append else list(page.rows)
        if not append:
            self._total = page.total
        self.model.set_rows(rows)
        self.status.setText(count_text(len(rows), self._total))
        self.more_button.setEnabled(self._total is not None and len(rows) < self._total)
        if rows and not append:
            self.table.selectRow(0)

    def _failed(self, error: Exception) -> None:
        self.loading = False
        if isinstance(error, UserError):
            self.status.setText(error.message)
        else:
            self.status.setText(f"Le journal n'a pas pu être lu : {error}")

    def _load_users(self) -> None:
        self.worker.submit(
            Job(
                work=lambda: audit_users(self.db, actor=self.actor),
                on_done=self._set_users,
                on_error=self._failed,
            )
        )

    def _set_users(self, users: list[str]) -> None:
        selected = self.user.currentData()
        self.user.blockSignals(True)
        try:
            for login in users:
                if self.user.findData(login) < 0:
                    self.user.addItem(login, login)
            self.user.setCurrentIndex(max(0, self.user.findData(selected)))
        finally:
            self.user.blockSignals(False)

    def _show_changes(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            self.changes.set_rows([])
            return
        row: AuditRow = self.model.row(current.row())
        changes: tuple[FieldChange, ...] = row.changes
        self.changes.set_rows(changes)

    # --- export ---------------------------------------------------------------------------

    def ask_path(self) -> Path | None:
        """The workbook chosen (``.xlsx`` added when missing), None when cancelled."""
        name = f"journal-audit-{self.today():%Y-%m-%d}.xlsx"
        return ask_workbook_path(self, "Exporter le journal d'audit", name, FOLDER_KEY)

    def export(self) -> None:
        path = self.ask_path()
        if path is None:
            return
        query = self.query()
        self.export_button.setEnabled(False)
        self.loading = True
        self.status.setText("Export en cours…")

        def done(count: Any) -> None:
            self.loading = False
            self.export_button.setEnabled(True)
            self.status.setText(f"{french_int(count)} ligne(s) exportée(s) dans {path}")

        def failed(error: Exception) -> None:
            self.export_button.setEnabled(True)
            self._failed(error)

        self.worker.submit(
            Job(
                work=lambda: audit_export(self.db, path, query, actor=self.actor),
                on_done=done,
                on_error=failed,
            )
        )


def open_audit(parent: QWidget, *, db: Database, worker: DbWorker, actor: str) -> AuditDialog:
    """Show the viewer (not modal: the window stays usable)."""
    dialog = AuditDialog(parent, db=db, worker=worker, actor=actor)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    return dialog
