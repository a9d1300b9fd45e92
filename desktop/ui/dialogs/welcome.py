"""First start on an empty database: the provider's identity, or demo data, or later."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.errors import ValidationError, field_label
from desktop.errors import UserError
from desktop.services.provider import ProviderDraft
from desktop.ui.dialogs.provider_form import ProviderForm, WrappedLabel, fit_height
from desktop.ui.tasks import run_in_background
from desktop.ui.widgets.busy_dialog import BusyDialog

log = logging.getLogger(__name__)

WELCOME_TITLE = "Bienvenue"


def show_warning(parent: QWidget, title: str, message: str) -> None:
    """A message box (a function of its own, so that tests can replace it)."""
    QMessageBox.warning(parent, title, message)


def unexpected_error_message(exc: Exception) -> str:
    return f"Erreur inattendue : {exc}. Rien n'a été enregistré."


class WelcomeDialog(BusyDialog):
    """Asks for the provider's identity at first start.

    Results (``exec()`` / ``result()``): ``QDialog.DialogCode.Accepted`` once
    saved (``saved`` holds what ``save`` returned), ``WelcomeDialog.DEMO`` when
    the user asked for demo data (the caller loads it), ``Rejected`` for
    "Plus tard" or closing the window.
    """

    DEMO = 2

    def __init__(self, parent: QWidget | None, save: Callable[[ProviderDraft], object]) -> None:
        super().__init__(parent)
        self._save = save
        self._busy = False
        self.saved: object | None = None
        self.setWindowTitle(WELCOME_TITLE)
        self.setModal(True)

        heading = QLabel("Bienvenue dans Back-Office Messagerie", self)
        heading.setObjectName("heading")
        font = heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        heading.setFont(font)
        intro = WrappedLabel(
            "La base de données est vide. Renseignez l'identité de votre société : elle "
            "figure sur les contrats, les factures et les mandats de prélèvement SEPA, et "
            "reste modifiable ensuite dans les paramètres. Pour découvrir le logiciel, "
            "chargez plutôt les données de démonstration.",
            self,
        )

        self.form = ProviderForm(self)
        self.form.validity_changed.connect(self._update_buttons)

        buttons = QDialogButtonBox(self)
        self.save_button = QPushButton("Enregistrer", self)
        self.save_button.setDefault(True)
        self.demo_button = QPushButton("Charger les données de démonstration", self)
        self.demo_button.setAutoDefault(False)
        self.later_button = QPushButton("Plus tard", self)
        self.later_button.setAutoDefault(False)
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.later_button, QDialogButtonBox.ButtonRole.RejectRole)
        buttons.addButton(self.demo_button, QDialogButtonBox.ButtonRole.ResetRole)
        self.save_button.clicked.connect(self._save_clicked)
        self.demo_button.clicked.connect(self._demo_clicked)
        self.later_button.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 16, 18, 14)
        layout.setSpacing(10)
        layout.addWidget(heading)
        layout.addWidget(intro)
        layout.addWidget(self.form, 1)
        layout.addWidget(buttons)
        self._update_buttons()
        self.setMinimumWidth(900)
        self.form.edits["name"].setFocus()
        self.resize(960, 560)  # the width first: the wrapped texts' heights follow it
        self.resize(960, self.sizeHint().height())

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        fit_height(self)

    # --- actions ------------------------------------------------------------------------

    def _update_buttons(self, *_args: object) -> None:
        self.save_button.setEnabled(not self._busy and self.form.is_valid())
        self.demo_button.setEnabled(not self._busy)
        self.later_button.setEnabled(not self._busy)
        self.form.setEnabled(not self._busy)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.setCursor(Qt.CursorShape.BusyCursor if busy else Qt.CursorShape.ArrowCursor)
        self._update_buttons()

    def _save_clicked(self) -> None:
        if self._busy or not self.form.is_valid():
            return
        draft = self.form.draft()
        self._set_busy(True)
        run_in_background(lambda: self._save(draft), self._saved, self._failed)

    def _saved(self, result: object) -> None:
        self._set_busy(False)
        self.saved = result
        self.accept()

    def _failed(self, exc: Exception) -> None:
        self._set_busy(False)
        if isinstance(exc, ValidationError):
            others = self.form.show_errors(exc.errors)
            if others:
                lines = "\n".join(f"{field_label(f)} : {m}" for f, m in others.items())
                show_warning(self, WELCOME_TITLE, lines)
        elif isinstance(exc, UserError):
            show_warning(self, WELCOME_TITLE, exc.message)
        else:
            log.error("saving the provider failed", exc_info=exc)
            show_warning(self, WELCOME_TITLE, unexpected_error_message(exc))

    def _demo_clicked(self) -> None:
        if not self._busy:
            self.done(self.DEMO)
