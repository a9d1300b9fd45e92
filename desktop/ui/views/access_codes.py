"""The « Codes d'accès » sub-tab of a client: its log, a new code, a lost code replaced."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop.domain.roles import Permission
from desktop.services.access_codes import (
    AccessCodeEntry,
    IssuedCode,
    access_code_log,
    issue_access_code,
    replace_lost_code,
)
from desktop.ui.db_worker import Job
from desktop.ui.dialogs.access_code_dialog import AccessCodeDialog
from desktop.ui.dialogs.reason_dialog import ReasonDialog, Reasoned
from desktop.ui.formatting import french_datetime, plural
from desktop.ui.models.rows_model import RowColumn, RowsModel, rows_table

if TYPE_CHECKING:
    from desktop.ui.views.base import RecordView

ISSUE = "Émettre un code…"
LOST = "Perte ou vol signalé…"

COLUMNS = (
    RowColumn("Date", lambda e: french_datetime(e.at), 120),
    RowColumn("Action", lambda e: e.action.label, 110),
    RowColumn("Par", lambda e: e.by, 110),
    RowColumn("Motif", lambda e: e.reason or "", 300),
)


class AccessCodesPanel(QWidget):
    count_changed = Signal(str)

    def __init__(self, view: RecordView, client_id: int) -> None:
        super().__init__()
        self.view = view
        self.client_id = client_id
        self.code_dialog: AccessCodeDialog | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        bar = QHBoxLayout()
        self.issue_button = QPushButton(ISSUE)
        self.issue_button.clicked.connect(self.issue)
        self.lost_button = QPushButton(LOST)
        self.lost_button.clicked.connect(self.replace_lost)
        note = QLabel("Les codes ne sont jamais conservés : seul leur envoi est journalisé.")
        note.setStyleSheet("color: palette(placeholder-text);")
        note.setWordWrap(True)
        view.gate.gate(self.issue_button, Permission.CUSTOMERS)
        bar.addWidget(self.issue_button)
        bar.addWidget(self.lost_button)
        bar.addWidget(note, 1)
        layout.addLayout(bar)
        self.model = RowsModel(COLUMNS, self)
        self.table = rows_table(self.model)
        layout.addWidget(self.table, 1)
        self.refresh()

    def refresh(self) -> None:
        view = self.view
        view.worker.submit(
            Job(
                work=lambda: access_code_log(view.db, self.client_id),
                on_done=self._show,
                on_error=view.report,
                is_stale=lambda: not view.alive,
            )
        )

    def entries(self) -> list[AccessCodeEntry]:
        return self.model.rows()

    def _show(self, entries: list[AccessCodeEntry]) -> None:
        if not self.view.alive:
            return
        self.model.set_rows(entries)
        self.lost_button.setEnabled(bool(entries))
        self.view.gate.gate(self.lost_button, Permission.CUSTOMERS)
        self.count_changed.emit(plural(len(entries), "entrée", "entrées"))

    # --- actions ------------------------------------------------------------------------

    def issue(self) -> ReasonDialog:
        return self._ask(
            title="Émettre un code d'accès",
            action="Émettre le code",
            intro=(
                "Un code d'accès est remis à l'administrateur du client (à l'activation, ou à "
                "sa demande). Il sera affiché une seule fois, pour être imprimé ou copié."
            ),
            hint="Ex. : activation du service, demande de l'administrateur…",
            write=lambda typed: issue_access_code(
                self.view.db, self.client_id, reason=typed.reason, actor=self.view.actor
            ),
        )

    def replace_lost(self) -> ReasonDialog:
        return self._ask(
            title="Perte ou vol du code d'accès",
            action="Désactiver et remplacer",
            intro=(
                "Le code actuel est désactivé sur-le-champ et un nouveau code le remplace "
                "(O365 §7). Le nouveau code sera affiché une seule fois."
            ),
            hint="Qui a signalé la perte ou le vol, quand, comment…",
            write=lambda typed: replace_lost_code(
                self.view.db, self.client_id, reason=typed.reason, actor=self.view.actor
            ),
        )

    def _ask(
        self,
        *,
        title: str,
        action: str,
        intro: str,
        hint: str,
        write: Callable[[Reasoned], IssuedCode],
    ) -> ReasonDialog:
        dialog = ReasonDialog(
            self.view,
            self.view.worker,
            title=title,
            action=action,
            intro=intro,
            reason_hint=hint,
            submit=write,
        )
        dialog.completed.connect(self._show_code)
        self.view.open_dialog(dialog)
        return dialog

    def _show_code(self, issued: IssuedCode) -> None:
        dialog = AccessCodeDialog(self.view, self.view.worker, issued)
        del issued  # the dialog is now the only holder of the code
        dialog.finished.connect(self._code_closed)
        self.code_dialog = dialog
        dialog.open()
        self.refresh()

    def _code_closed(self) -> None:
        self.code_dialog = None
        self.view.notify("Code d'accès remis ; l'émission est journalisée.")
