"""What every create/edit dialog shares: its form, the Save button, refusals and conflicts.

A subclass builds its fields on :attr:`RecordDialog.form` inside
:attr:`RecordDialog.body`, and says how to turn them into a draft, write it, re-read
the record and show it. The base class does the rest: "Enregistrer" is enabled only
while the form is valid; a :class:`ValidationError` puts its messages next to the
fields; a :class:`ConflictError` asks whether to reload the record (the user's typing
is dropped only on that explicit choice) or to keep the form as it is.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.errors import ValidationError
from desktop.errors import ConflictError, UserError
from desktop.ui.widgets.validated_form import INVALID_STYLE, ValidatedForm

CONFLICT_TITLE = "Modification concurrente"
RELOAD = "Recharger"
KEEP = "Annuler"
SAVE = "Enregistrer"
PENDING_SHOWN = 3


KEEP_TYPING = (
    f"« {RELOAD} » affiche la version enregistrée : vos saisies seront perdues.\n"
    f"« {KEEP} » garde le formulaire tel que vous l'avez rempli."
)


def ask_reload(
    parent: QWidget, message: str, *, title: str = CONFLICT_TITLE, detail: str = KEEP_TYPING
) -> bool:
    """Show a refused save (who changed what); True when the user asks to reload.

    « Annuler », the default, keeps what was typed. Any window saving a record
    read at a version can ask the same way.
    """
    box = QMessageBox(QMessageBox.Icon.Warning, title, message, parent=parent)
    box.setInformativeText(detail)
    reload_button = box.addButton(RELOAD, QMessageBox.ButtonRole.AcceptRole)
    keep_button = box.addButton(KEEP, QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(keep_button)
    box.setEscapeButton(keep_button)
    box.exec()
    return box.clickedButton() is reload_button


class RecordDialog(QDialog):
    """Base of the dialogs that create or edit one record through a service."""

    def __init__(self, parent: QWidget | None, *, title: str) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setStyleSheet(INVALID_STYLE)
        self.saved: Any = None
        """The record as stored (the service's details) once the dialog is accepted."""
        self.form = ValidatedForm(self)
        self.body = QWidget(self)
        self.pending_hint = QLabel(self)
        self.pending_hint.setStyleSheet("color: palette(placeholder-text);")
        self.pending_hint.setWordWrap(True)
        self.buttons = QDialogButtonBox(self)
        self.save_button: QPushButton = self.buttons.addButton(
            SAVE, QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.cancel_button: QPushButton = self.buttons.addButton(
            "Annuler", QDialogButtonBox.ButtonRole.RejectRole
        )
        self.save_button.setDefault(True)
        self.save_button.setEnabled(False)
        self.save_button.clicked.connect(self.save)
        self.cancel_button.clicked.connect(self.reject)
        self.form.validity_changed.connect(self.save_button.setEnabled)
        self.form.checked.connect(self._show_pending)

        # Should many messages show at once on a small screen, the form scrolls
        # instead of squeezing its inputs.
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.body)
        layout = QVBoxLayout(self)
        layout.addWidget(self.form.general_error)
        layout.addWidget(scroll, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.pending_hint, 1)
        bottom.addWidget(self.buttons, 0, Qt.AlignmentFlag.AlignRight)
        layout.addLayout(bottom)

    # --- to provide -----------------------------------------------------------------------

    def build_draft(self) -> Any:
        """The service's draft from the (valid) fields."""
        raise NotImplementedError

    def write(self, draft: Any) -> Any:
        """Create or update the record; the service's details."""
        raise NotImplementedError

    def reload(self) -> Any:
        """The record as currently stored (after a conflict)."""
        raise NotImplementedError

    def fill(self, details: Any) -> None:
        """Put a record's values in the widgets."""
        raise NotImplementedError

    # --- behaviour ------------------------------------------------------------------------

    def load(self, details: Any) -> None:
        """Show a record: its values, nothing touched, no message left."""
        with self.form.loading():
            self.fill(details)

    def save(self) -> None:
        if not self.form.revalidate():
            return
        try:
            result = self.write(self.build_draft())
        except ValidationError as exc:
            self.form.show_errors(exc.errors)
            return
        except ConflictError as exc:
            self._conflict(exc)
            return
        except UserError as exc:
            self.form.show_general(exc.message)
            return
        self.saved = result
        self.accept()

    def _conflict(self, exc: ConflictError) -> None:
        if not ask_reload(self, exc.message):
            return
        try:
            details = self.reload()
        except UserError as error:
            self.form.show_general(error.message)
            return
        self.load(details)

    def _show_pending(self) -> None:
        titles = self.form.pending()
        if not titles:
            self.pending_hint.clear()
            return
        shown = ", ".join(titles[:PENDING_SHOWN])
        more = "…" if len(titles) > PENDING_SHOWN else ""
        self.pending_hint.setText(f"À compléter ou corriger : {shown}{more}")
