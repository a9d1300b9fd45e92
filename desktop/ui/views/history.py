"""The "Historique" sub-tab of a record: every change of state, who made it, when, why."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from desktop.db.engine import Database
from desktop.domain.enums import ContractStatus, LifecycleKind, MailboxStatus
from desktop.services.events import EventRow, Subject, event_history
from desktop.ui.db_worker import DbWorker, Job
from desktop.ui.formatting import french_datetime, plural
from desktop.ui.models.rows_model import RowColumn, RowsModel, rows_table

NO_EVENT = "Aucun événement enregistré."

_SWITCHES = {"on": "activé", "off": "désactivé", "certified": "attestée"}


def state_label(event: EventRow, value: str | None) -> str:
    """The French label of a state in an event: a mailbox's, a contract's, a switch."""
    if value is None:
        return ""
    if value in _SWITCHES:
        return _SWITCHES[value]
    states: tuple[type[MailboxStatus] | type[ContractStatus], ...] = (
        (MailboxStatus, ContractStatus)
        if event.mailbox_id is not None
        else (ContractStatus, MailboxStatus)
    )
    for enum in states:
        member = next((m for m in enum if m.value == value), None)
        if member is not None:
            return member.label
    return value


def change_text(event: EventRow) -> str:
    before, after = state_label(event, event.from_status), state_label(event, event.to_status)
    if before and after:
        return f"{before} → {after}"
    return after or before


def _kind(event: EventRow) -> str:
    return event.kind.label


def _colour(event: EventRow) -> str | None:
    if event.kind is LifecycleKind.RENEWAL_FLOOR_EXCEPTION:
        return "#b35c00"
    return None


COLUMNS = (
    RowColumn("Date", lambda e: french_datetime(e.at), 120),
    RowColumn("Par", lambda e: e.by, 100),
    RowColumn("Événement", _kind, 170, colour=_colour),
    RowColumn("Changement", change_text, 200),
    RowColumn("Boîte aux lettres", lambda e: e.mailbox_address or "", 200),
    RowColumn("Motif", lambda e: e.reason or "", 300),
)


class HistoryPanel(QWidget):
    """The events of one subject, newest first, loaded on the database worker."""

    count_changed = Signal(str)
    failed = Signal(object)

    def __init__(
        self,
        db: Database,
        worker: DbWorker,
        subject: Subject,
        *,
        alive: Callable[[], bool],
        with_mailbox: bool = True,
    ) -> None:
        super().__init__()
        self.db = db
        self.worker = worker
        self.subject = subject
        self._alive = alive
        self.model = RowsModel(COLUMNS, self)
        self.table = rows_table(self.model)
        self.table.setColumnHidden(4, not with_mailbox)
        self.empty = QLabel(NO_EVENT)
        self.empty.setObjectName("emptyHistory")
        self.empty.setStyleSheet("color: palette(placeholder-text); padding: 8px 4px;")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.empty.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(self.table)
        layout.addWidget(self.empty)
        self.refresh()

    def refresh(self) -> None:
        self.worker.submit(
            Job(
                work=lambda: event_history(self.db, self.subject),
                on_done=self._show,
                on_error=self._fail,
                is_stale=lambda: not self._alive(),
            )
        )

    def events(self) -> list[Any]:
        return self.model.rows()

    def _show(self, events: list[EventRow]) -> None:
        if not self._alive():
            return
        self.model.set_rows(events)
        self.table.setVisible(bool(events))
        self.empty.setVisible(not events)
        self.count_changed.emit(plural(len(events), "événement", "événements"))

    def _fail(self, error: Exception) -> None:
        if self._alive():
            self.failed.emit(error)
