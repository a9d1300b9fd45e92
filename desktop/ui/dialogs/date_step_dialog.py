"""A step that only needs a date (send a quote, record its acceptance, start a service).

The change runs on the database worker; a refusal of the service is shown in the
dialog, in French (next to the date when it is about it), and the dialog stays
open so the user corrects or cancels.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.errors import ValidationError
from desktop.errors import UserError
from desktop.ui.db_worker import DbWorker, Job
from desktop.ui.widgets.busy_dialog import BusyDialog
from desktop.ui.widgets.date_field import DateField, date_value
from desktop.ui.widgets.validated_form import INVALID_STYLE, ValidatedForm

log = logging.getLogger(__name__)


class DateStepDialog(BusyDialog):
    """Asks one date, then runs ``submit(date)``; its result goes to ``completed``."""

    completed = Signal(object)

    def __init__(
        self,
        parent: QWidget | None,
        worker: DbWorker,
        *,
        title: str,
        action: str,
        intro: str,
        date_label: str,
        on: date | None,
        submit: Callable[[date], Any],
        date_key: str = "on",
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setStyleSheet(INVALID_STYLE)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.worker = worker
        self.submit = submit
        self.date_key = date_key
        self.form = ValidatedForm(self)
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        self.intro = QLabel(intro)
        self.intro.setWordWrap(True)
        self.intro.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.intro)
        layout.addWidget(self.form.general_error)
        fields = QFormLayout()
        self.date = DateField(on)
        self.form.add_row(
            fields,
            date_label,
            self.form.add(date_key, self.date, date_value("Indiquez la date."), title=date_label),
        )
        layout.addLayout(fields)
        layout.addStretch(1)
        self.buttons = QDialogButtonBox()
        self.action_button = self.buttons.addButton(action, QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton(
            "Annuler", QDialogButtonBox.ButtonRole.RejectRole
        )
        self.action_button.setDefault(True)
        self.action_button.clicked.connect(self.confirm_change)
        self.cancel_button.clicked.connect(self.reject)
        layout.addWidget(self.buttons)
        self.form.validity_changed.connect(self.action_button.setEnabled)
        self.form.reset()
        self.action_button.setEnabled(self.form.is_valid)
        self.setMinimumWidth(500)

    def confirm_change(self) -> None:
        if self._busy or not self.form.revalidate():
            return
        day: date = self.form.value(self.date_key)
        self._set_busy(True)
        self.worker.submit(
            Job(work=lambda: self.submit(day), on_done=self._complete, on_error=self._refused)
        )

    def _complete(self, result: Any) -> None:
        self._set_busy(False)
        self.completed.emit(result)
        self.accept()

    def _refused(self, error: Exception) -> None:
        self._set_busy(False)
        if isinstance(error, ValidationError):
            self.form.show_errors({self.date_key: " ".join(error.errors.values())})
        elif isinstance(error, UserError):
            self.form.show_general(error.message)
        else:
            log.error("Unexpected error", exc_info=error)
            self.form.show_general(
                f"Une erreur inattendue est survenue ; rien n'a été enregistré. ({error})"
            )
        self.adjustSize()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.date.setEnabled(not busy)
        self.cancel_button.setEnabled(not busy)
        self.action_button.setEnabled(not busy and self.form.is_valid)
