"""The main window as a user sees it: figures from the database, demo loading."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from desktop import app
from desktop.db.engine import Database
from desktop.services.demo import generate_demo
from desktop.services.overview import database_overview
from desktop.ui.main_window import MainWindow, french_int


def make_window(qtbot: QtBot, db: Database, clients: int = 4) -> MainWindow:
    window = MainWindow(
        db.description,
        load_overview=functools.partial(database_overview, db),
        load_demo=functools.partial(generate_demo, db, clients=clients),
    )
    qtbot.addWidget(window)
    return window


def test_an_empty_database_offers_demo_data(qtbot: QtBot, sqlite_db: Database) -> None:
    window = make_window(qtbot, sqlite_db)
    with qtbot.waitSignal(window.overview_changed, timeout=10_000):
        pass
    assert window.demo_action.isEnabled()
    assert "La base est vide" in window.hint.text()
    assert window.clients_card.figure.text() == "0"
    assert window.statusBar().currentMessage() == f"Base de données : {sqlite_db.description}"


def test_loading_demo_data_fills_the_figures(qtbot: QtBot, sqlite_db: Database) -> None:
    window = make_window(qtbot, sqlite_db)
    with qtbot.waitSignal(window.overview_changed, timeout=10_000):
        pass
    with qtbot.waitSignal(window.overview_changed, timeout=60_000) as shown:
        window.demo_action.trigger()
    overview = shown.args[0]
    assert overview.clients == 4
    assert window.clients_card.figure.text() == "4"
    assert window.mailboxes_card.figure.text() == french_int(overview.mailboxes)
    assert not window.demo_action.isEnabled()
    assert window.heading.text() == overview.provider_name


def test_a_bad_database_is_shown_in_a_dialog(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda _parent, _title, text: shown.append(text))
    corrupt = tmp_path / "corrupt.sqlite3"
    corrupt.write_bytes(b"this is no database" * 10)
    assert app.run(str(corrupt)) == 1
    assert len(shown) == 1 and "n'est pas une base de données SQLite" in shown[0]


def test_screenshot_for_the_readme(qtbot: QtBot, sqlite_db: Database, tmp_path: Path) -> None:
    generate_demo(sqlite_db, clients=60)
    window = make_window(qtbot, sqlite_db)
    window.show()
    with qtbot.waitSignal(window.overview_changed, timeout=10_000):
        pass
    image = window.grab()
    assert image.width() >= 900 and image.height() >= 500
    assert image.save(str(tmp_path / "main_window.png"))
