"""The one dialog that asks why (and when) before a change of state is written.

Every change of state is logged with its reason (business rules §3-4): the
dialog asks for it, and for a date or a confirmation when the change needs one,
then runs the change on the database worker. A refusal is shown in the dialog,
next to the field it is about, so the user corrects and confirms again; the
caller may offer another way out (a manager's exception to the renewal floor).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.errors import InvalidValue, ValidationError
from desktop.errors import ConflictError, UserError
from desktop.ui.db_worker import DbWorker, Job
from desktop.ui.widgets.busy_dialog import BusyDialog
from desktop.ui.widgets.date_field import DateField, date_value
from desktop.ui.widgets.validated_form import INVALID_STYLE, ValidatedForm, required

log = logging.getLogger(__name__)

REASON_REQUIRED = "Indiquez le motif : il est enregistré dans l'historique."
WARNING_STYLE = (
    "QLabel#warning { background: #fff4e5; border: 1px solid #f0b46e; border-radius: 4px;"
    " padding: 8px; color: #5c3300; }"
)


@dataclass(frozen=True)
class Reasoned:
    """What the user typed: the reason, the date (if asked), the confirmation (if asked)."""

    reason: str
    on: date | None = None
    confirmed: bool = False


Submit = Callable[[Reasoned], Any]
"""Writes the change; runs on the database worker; its result goes to ``completed``."""
Refusal = Callable[["ReasonDialog", UserError], bool]
"""Given a refusal of the service: True when it was handled (another way offered)."""


def _ticked(message: str) -> Callable[[bool], bool]:
    def validate(checked: bool) -> bool:
        if not checked:
            raise InvalidValue(message)
        return True

    return validate


class ReasonDialog(BusyDialog):
    """Asks the reason (and a date, a confirmation) of one change, then makes it."""

    completed = Signal(object)
    """The result of ``submit``, once it succeeded (the dialog then closes)."""

    def __init__(
        self,
        parent: QWidget | None,
        worker: DbWorker,
        *,
        title: str,
        action: str,
        submit: Submit,
        intro: str = "",
        warning: str | None = None,
        date_label: str | None = None,
        on: date | None = None,
        date_key: str = "on",
        confirm: str | None = None,
        confirm_key: str = "confirmed",
        reason_label: str = "Motif",
        reason_hint: str = "",
        on_refusal: Refusal | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setStyleSheet(INVALID_STYLE + WARNING_STYLE)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.worker = worker
        self.submit = submit
        self.on_refusal = on_refusal
        self.form = ValidatedForm(self)
        self._date_key = date_key
        self._confirm_key = confirm_key
        self.date: DateField | None = None
        self.confirm: QCheckBox | None = None
        self.offers: list[QPushButton] = []
        self.follow_up: QDialog | None = None
        """A dialog opened from this one (an exception asked for), while it is open."""

        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        self.intro = QLabel(intro)
        self.intro.setWordWrap(True)
        self.intro.setVisible(bool(intro))
        self.intro.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.intro)
        self.warning = QLabel(warning or "")
        self.warning.setObjectName("warning")
        self.warning.setWordWrap(True)
        self.warning.setVisible(bool(warning))
        layout.addWidget(self.warning)
        layout.addWidget(self.form.general_error)

        fields = QFormLayout()
        fields.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        if date_label is not None:
            self.date = DateField(on)
            self.form.add_row(
                fields,
                date_label,
                self.form.add(date_key, self.date, date_value("Indiquez la date."), title="Date"),
            )
        self.reason = QPlainTextEdit()
        self.reason.setTabChangesFocus(True)
        self.reason.setPlaceholderText(reason_hint)
        self.reason.setFixedHeight(self.reason.fontMetrics().lineSpacing() * 4 + 14)
        self.form.add_row(
            fields,
            reason_label,
            self.form.add("reason", self.reason, required(REASON_REQUIRED), title=reason_label),
        )
        if confirm is not None:
            self.confirm = QCheckBox(confirm)
            self.form.add_row(
                fields,
                "",
                self.form.add(
                    confirm_key,
                    self.confirm,
                    _ticked("Cochez cette case pour confirmer."),
                    title="Confirmation",
                ),
            )
        layout.addLayout(fields)
        layout.addStretch(1)

        self.pending_hint = QLabel()
        self.pending_hint.setWordWrap(True)
        self.pending_hint.setStyleSheet("color: palette(placeholder-text);")
        layout.addWidget(self.pending_hint)
        self.bottom = QHBoxLayout()
        self.buttons = QDialogButtonBox()
        self.action_button = self.buttons.addButton(action, QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton(
            "Annuler", QDialogButtonBox.ButtonRole.RejectRole
        )
        self.action_button.setDefault(True)
        self.action_button.setEnabled(False)
        self.action_button.clicked.connect(self.confirm_change)
        self.cancel_button.clicked.connect(self.reject)
        self.bottom.addStretch(1)
        self.bottom.addWidget(self.buttons)
        layout.addLayout(self.bottom)
        QShortcut(QKeySequence("Ctrl+Return"), self, self.confirm_change)
        self.form.validity_changed.connect(self._validity_changed)
        self.form.checked.connect(self._show_pending)
        self.form.reset()
        self.setMinimumWidth(520)
        (self.reason if self.date is None or self.date.text() else self.date).setFocus()

    # --- behaviour ----------------------------------------------------------------------

    def value(self) -> Reasoned:
        return Reasoned(
            reason=self.form.value("reason"),
            on=self.form.value(self._date_key) if self.date is not None else None,
            confirmed=self.confirm is not None and self.confirm.isChecked(),
        )

    def confirm_change(self) -> None:
        if self._busy or not self.form.revalidate():
            return
        typed = self.value()
        self._set_busy(True)
        self.worker.submit(
            Job(work=lambda: self.submit(typed), on_done=self.complete, on_error=self._refused)
        )

    def complete(self, result: Any) -> None:
        """The change is made: hand its result over and close."""
        self._set_busy(False)
        self.completed.emit(result)
        self.accept()

    def offer(self, text: str, slot: Callable[[], object]) -> QPushButton:
        """Another way out of a refusal, as a button left of the others."""
        button = QPushButton(text)
        button.clicked.connect(lambda _checked=False: slot())
        self.bottom.insertWidget(0, button)
        self.offers.append(button)
        self._fit()
        return button

    def show_general(self, message: str) -> None:
        self.form.show_general(message)

    # --- internals ----------------------------------------------------------------------

    def _refused(self, error: Exception) -> None:
        self._set_busy(False)
        if isinstance(error, ValidationError):
            self.form.show_errors(error.errors)
        elif isinstance(error, UserError) and self.on_refusal and self.on_refusal(self, error):
            pass
        elif isinstance(error, ConflictError):
            self.form.show_general(
                f"{error.message} Fermez cette fenêtre : la fiche est rechargée, "
                "vérifiez-la puis recommencez."
            )
        elif isinstance(error, UserError):
            self.form.show_general(error.message)
        else:
            log.error("Unexpected error", exc_info=error)
            self.form.show_general(
                f"Une erreur inattendue est survenue ; rien n'a été enregistré. ({error})"
            )
        self._fit()

    def _fit(self) -> None:
        """Grow (never shrink) to show a message or a button that just appeared."""
        layout = self.layout()
        if layout is None:
            return
        layout.activate()
        wanted = self.size().expandedTo(self.minimumSizeHint())
        if layout.hasHeightForWidth():  # wrapped messages: their height at this width
            wanted.setHeight(max(wanted.height(), layout.totalHeightForWidth(wanted.width())))
        self.resize(wanted)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        for widget in (self.date, self.reason, self.confirm, *self.offers):
            if widget is not None:
                widget.setEnabled(not busy)
        self.cancel_button.setEnabled(not busy)
        self.action_button.setEnabled(not busy and self.form.is_valid)
        self.pending_hint.setText("Enregistrement…" if busy else "")
        if not busy:
            self._show_pending()

    def _validity_changed(self, valid: bool) -> None:
        self.action_button.setEnabled(valid and not self._busy)

    def _show_pending(self) -> None:
        if self._busy:
            return
        titles = self.form.pending()
        self.pending_hint.setText(f"À compléter : {', '.join(titles)}" if titles else "")
