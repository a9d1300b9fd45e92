"""Pieces shared by the windows that preview work, run it, then say what happened."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from desktop.ui.formatting import RED


def heading(text: str) -> QLabel:
    """A section's title, in bold."""
    label = QLabel(text)
    font = label.font()
    font.setBold(True)
    label.setFont(font)
    return label


class SummaryLabel(QLabel):
    """What the last run did (rich text, selectable), hidden until there is something."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("", parent)
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hide()

    def show_text(self, text: str, *, error: bool = False) -> None:
        self.setText(text)
        self.setStyleSheet(f"color: {RED};" if error else "")
        self.show()
