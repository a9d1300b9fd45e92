"""The administrator's access code, shown once (business rules §1, O365 §7, HE §4).

The code is in this dialog only: never stored, never logged. The user prints
the access sheet or copies the code; when the dialog closes the code is
cleared from its labels and the dialog is deleted.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent, QFont, QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from desktop.services.access_codes import IssuedCode
from desktop.ui.db_worker import DbWorker
from desktop.ui.documents import Document, open_document
from desktop.ui.formatting import french_datetime
from desktop.ui.widgets.confirm import confirm

CLOSE_UNSEEN = (
    "Le code n'a été ni imprimé ni copié : une fois cette fenêtre fermée, il ne pourra plus "
    "être affiché (il n'est conservé nulle part). Fermer quand même ?"
)


def access_sheet(issued: IssuedCode) -> Document:
    from desktop.documents.access_sheet import render_access_sheet

    return Document(f"Fiche d'accès {issued.client_code}.pdf", render_access_sheet(issued))


class AccessCodeDialog(QDialog):
    def __init__(self, parent: QWidget | None, worker: DbWorker, issued: IssuedCode) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(f"Code d'accès — {issued.client_name}")
        self.worker = worker
        self._issued: IssuedCode | None = issued
        self.handed_over = False  # printed or copied

        layout = QVBoxLayout(self)
        layout.setSpacing(12)
        what = (
            "Nouveau code (remplace le précédent)"
            if issued.action.value == "replaced"
            else ("Code d'accès de l'administrateur")
        )
        heading = QLabel(f"<b>{html.escape(what)}</b> — {html.escape(issued.client_name)}")
        heading.setWordWrap(True)
        layout.addWidget(heading)
        facts = QFormLayout()
        facts.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        administrator = issued.administrator or "(aucun administrateur enregistré)"
        if issued.administrator_email:
            administrator += f" <{issued.administrator_email}>"
        facts.addRow("Administrateur :", self._selectable(administrator))
        self.login = self._selectable(issued.login)
        facts.addRow("Identifiant :", self.login)
        facts.addRow("Émis :", QLabel(f"le {french_datetime(issued.at)} par {issued.by}"))
        layout.addLayout(facts)

        self.code = QLabel(issued.code)
        self.code.setObjectName("accessCode")
        self.code.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.code.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.code.setTextFormat(Qt.TextFormat.PlainText)
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setPointSize(max(22, font.pointSize() * 2))
        font.setWeight(QFont.Weight.Bold)
        font.setLetterSpacing(QFont.SpacingType.AbsoluteSpacing, 3)
        self.code.setFont(font)
        self.code.setFrameShape(QFrame.Shape.StyledPanel)
        self.code.setStyleSheet(
            "QLabel#accessCode { background: palette(base); padding: 14px 18px; }"
        )
        layout.addWidget(self.code)
        once = QLabel(
            "Ce code n'est affiché qu'une fois : il n'est conservé nulle part, seul son envoi "
            "est journalisé. Imprimez la fiche d'accès ou copiez-le maintenant."
        )
        once.setWordWrap(True)
        once.setStyleSheet("color: #b35c00;")
        layout.addWidget(once)
        self.status = QLabel()
        self.status.setStyleSheet("color: palette(placeholder-text);")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)

        buttons = QDialogButtonBox()
        self.print_button = buttons.addButton(
            "Imprimer la fiche d'accès", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.copy_button = buttons.addButton("Copier", QDialogButtonBox.ButtonRole.ActionRole)
        self.close_button = buttons.addButton("Fermer", QDialogButtonBox.ButtonRole.RejectRole)
        self.print_button.clicked.connect(self.print_sheet)
        self.copy_button.clicked.connect(self.copy_code)
        self.close_button.clicked.connect(self.reject)
        layout.addWidget(buttons)
        self.setMinimumWidth(480)

    @staticmethod
    def _selectable(value: str) -> QLabel:
        label = QLabel(value)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    def print_sheet(self) -> None:
        issued = self._issued
        if issued is None:
            return
        self.status.setText("Préparation de la fiche d'accès…")

        def failed(error: Exception) -> None:
            self.handed_over = False
            self.status.setText(getattr(error, "message", str(error)))

        open_document(self, self.worker, lambda: access_sheet(issued), failed=failed)
        self.handed_over = True
        self.status.setText("La fiche d'accès s'ouvre dans le lecteur de PDF : imprimez-la.")

    def copy_code(self) -> None:
        if self._issued is None:
            return
        QGuiApplication.clipboard().setText(self._issued.code)
        self.handed_over = True
        self.status.setText("Code copié dans le presse-papiers.")

    # --- closing: the code goes -----------------------------------------------------------

    def reject(self) -> None:
        if not self.handed_over and self._issued is not None:
            if not confirm(
                self, "Fermer sans remettre le code ?", CLOSE_UNSEEN, yes="Fermer", no="Revenir"
            ):
                return
        super().reject()

    def done(self, result: int) -> None:
        self._forget()
        super().done(result)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        if not self.handed_over and self._issued is not None:
            event.ignore()
            self.reject()
            return
        self._forget()
        super().closeEvent(event)

    def _forget(self) -> None:
        self._issued = None
        self.code.clear()
        self.login.clear()
