"""What the record dialog tests share: showing a dialog, its messages, message boxes."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from desktop.ui.widgets.record_dialog import RecordDialog

D = TypeVar("D", bound=RecordDialog)

# The completer's popup, under the offscreen platform.
popup_warnings = pytest.mark.qt_log_ignore("This plugin does not support", extend=True)


def shown(qtbot: QtBot, dialog: D) -> D:
    """``dialog``, shown, closed with the test."""
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def message(dialog: RecordDialog, key: str) -> str:
    """The message shown under the field of ``key`` ("" when none is visible)."""
    label = dialog.form.fields[key].label
    assert label is not None
    return label.text() if label.isVisible() else ""


def answer_message_box(button: str) -> list[str]:
    """Click ``button`` of the next modal message box; its text is put in the list."""
    seen: list[str] = []

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(10, answer)
            return
        seen.append(box.text())
        next(b for b in box.buttons() if b.text() == button).click()

    QTimer.singleShot(0, answer)
    return seen


def save_answering(qtbot: QtBot, dialog: RecordDialog, button: str) -> list[str]:
    """Click Save, then ``button`` of the message box it opens; the box's text."""
    seen = answer_message_box(button)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(seen))
    return seen


def assert_fits_small_screen(dialog: RecordDialog, picture: Path) -> None:
    """``dialog`` fits a 1366×768 screen (taskbar aside); its picture is saved."""
    size = dialog.size().expandedTo(dialog.minimumSizeHint())
    assert size.width() <= 1366 and size.height() <= 700
    assert dialog.grab().save(str(picture))
