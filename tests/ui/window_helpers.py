"""What the screen tests share: the window on a database, records opened, dialogs driven.

Import ``fresh_settings`` into a test module to use it (pytest finds imported fixtures).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QAbstractButton, QApplication, QDialog
from pytestqt.qtbot import QtBot

from desktop import app
from desktop.db.engine import Database
from desktop.ui.dialogs.reason_dialog import ReasonDialog
from desktop.ui.main_window import MainWindow
from desktop.ui.tabs.specs import RecordKind
from desktop.ui.views.base import RecordView

WAIT = 15_000
SHOTS = Path("/tmp/ui_screens")
SPACES = str.maketrans({"\u00a0": " ", "\u202f": " "})


@pytest.fixture
def fresh_settings() -> Iterator[None]:
    QApplication.setOrganizationName("BackOfficeMessagerieTests")
    QApplication.setApplicationName("tests")
    QSettings().clear()
    yield
    QSettings().clear()


def plain(text: str) -> str:
    """``text`` with its no-break spaces as plain spaces (French typography aside)."""
    return text.translate(SPACES)


def make_window(qtbot: QtBot, db: Database) -> MainWindow:
    window = app.build_window(db, "poste-test")
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    return window


def open_view(qtbot: QtBot, window: MainWindow, kind: RecordKind, record_id: int) -> RecordView:
    """The record, opened in the window as a double-click would, once loaded."""
    window.open_record(kind, record_id)
    view = window.current_tab.view
    assert view is not None
    qtbot.waitUntil(lambda: view.record is not None, timeout=WAIT)
    return view


def wait_reloaded(qtbot: QtBot, view: RecordView, check: Callable[[Any], bool]) -> Any:
    """Wait until the record shown passes ``check``; the record."""
    qtbot.waitUntil(lambda: view.record is not None and check(view.record), timeout=WAIT)
    return view.record


def click(qtbot: QtBot, button: QAbstractButton | None) -> None:
    assert button is not None, "no such button"
    assert button.isEnabled(), f"« {button.text()} » is disabled"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def click_action(qtbot: QtBot, view: RecordView, caption: str) -> QDialog:
    """Click the record's button ``caption``; the dialog it opened."""
    click(qtbot, view.button(caption))
    dialog = view.dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT)
    return dialog


def fill_reason(dialog: ReasonDialog, reason: str, on: date | None = None) -> None:
    """Type the reason (set directly: the test keyboard only knows Latin-1) and the date."""
    if on is not None:
        assert dialog.date is not None
        dialog.date.setText(on.strftime("%d/%m/%Y"))
    dialog.reason.setPlainText(reason)


def confirm_reason(qtbot: QtBot, dialog: ReasonDialog) -> None:
    """Click the action button and wait for the answer of the database worker."""
    click(qtbot, dialog.action_button)
    qtbot.waitUntil(lambda: not dialog._busy, timeout=WAIT)


def confirm_and_close(qtbot: QtBot, dialog: ReasonDialog) -> None:
    """Click the action button; the change succeeds and the dialog closes."""
    with qtbot.waitSignal(dialog.completed, timeout=WAIT):
        click(qtbot, dialog.action_button)


class OpenedUrls(list[str]):
    """The files the application asked the system to open."""


@pytest.fixture
def opened_urls(monkeypatch: pytest.MonkeyPatch) -> OpenedUrls:
    opened = OpenedUrls()

    def record(url: QUrl) -> bool:
        opened.append(url.toLocalFile())
        return True

    monkeypatch.setattr(QDesktopServices, "openUrl", record)
    return opened


def screenshot(qtbot: QtBot, widget: Any, name: str) -> Path:
    """Save a picture of ``widget`` (once the widgets just added are shown) to look at."""
    qtbot.wait(50)
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    assert widget.grab().save(str(path))
    return path


def field(view: RecordView, caption: str) -> str:
    """The text shown on the line ``caption`` of a record (tags removed), "" if none."""
    from PySide6.QtGui import QTextDocument
    from PySide6.QtWidgets import QFormLayout, QLabel

    for row in range(view.form.rowCount()):
        label = view.form.itemAt(row, QFormLayout.ItemRole.LabelRole)
        value = view.form.itemAt(row, QFormLayout.ItemRole.FieldRole)
        if label is None or value is None:
            continue
        title, shown = label.widget(), value.widget()
        if (
            isinstance(title, QLabel)
            and isinstance(shown, QLabel)
            and title.text() == f"{caption} :"
        ):
            document = QTextDocument()
            document.setHtml(shown.text())
            return plain(document.toPlainText())
    return ""


def tab_titles(view: RecordView) -> list[str]:
    return [view.tabs.tabText(index) for index in range(view.tabs.count())]
