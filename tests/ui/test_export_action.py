"""« Exporter (Excel)… »: the current tab's list, as shown, to a workbook."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook  # type: ignore[import-untyped]
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QFileDialog, QPushButton
from pytestqt.qtbot import QtBot
from window_helpers import WAIT, make_window, plain

from desktop.db.engine import Database
from desktop.documents.xlsx import HEADER_ROW
from desktop.domain.clock import paris_today
from desktop.services.clients import list_clients
from desktop.services.export import export_rows
from desktop.services.listing import ListQuery
from desktop.ui import export_action
from desktop.ui.main_window import MainWindow
from desktop.ui.tabs.specs import MAILBOXES, MAIN_TABS

pytestmark = pytest.mark.usefixtures("fresh_settings")


def ready(qtbot: QtBot, window: MainWindow) -> None:
    for tab in window.record_tabs:
        qtbot.waitUntil(lambda t=tab: t.panel.model.total is not None, timeout=WAIT)


def save_as(monkeypatch: pytest.MonkeyPatch, target: Path | None) -> list[str]:
    """Answer the save dialog with ``target`` (None: Cancel); the names it suggested."""
    suggested: list[str] = []

    def answer(_parent: object, _title: str, name: str, _filter: str) -> tuple[str, str]:
        suggested.append(name)
        return ("" if target is None else str(target), "")

    monkeypatch.setattr(QFileDialog, "getSaveFileName", answer)
    return suggested


def message(window: MainWindow) -> str:
    return plain(window.statusBar().currentMessage())


def test_the_action_is_in_the_file_menu_and_the_toolbar(qtbot: QtBot, demo_db: Database) -> None:
    window = make_window(qtbot, demo_db)
    action = window.export_action
    assert action.text() == "E&xporter (Excel)…"
    assert action.shortcut().toString() == "Ctrl+Shift+E"
    file_menu = window.menuBar().actions()[0].menu()
    assert action in file_menu.actions()  # type: ignore[union-attr]
    assert any(action in bar.actions() for bar in window.findChildren(type(window.addToolBar("x"))))


def test_export_writes_the_tabs_current_query(
    qtbot: QtBot, demo_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = make_window(qtbot, demo_db)
    ready(qtbot, window)
    window.show_tab(MAIN_TABS.index(MAILBOXES))
    panel = window.current_tab.panel
    panel.set_filter("status", "active")
    panel.search.setText("a")
    panel.model.sort(2, Qt.SortOrder.DescendingOrder)  # by client, Z first
    qtbot.waitUntil(lambda: panel.model.total is not None, timeout=WAIT)
    query = panel.model.query
    target = tmp_path / "export.xlsx"
    suggested = save_as(monkeypatch, target)

    window.export_action.trigger()

    qtbot.waitUntil(lambda: "exportée" in message(window), timeout=WAIT)
    expected = list(export_rows(demo_db, "mailboxes", query))
    assert message(window) == f"{len(expected):,} lignes exportées dans {target}".replace(",", " ")
    assert Path(suggested[0]).name == f"boites-aux-lettres-{paris_today().isoformat()}.xlsx"
    sheet = load_workbook(target).active
    assert "recherche « a », État : Active, tri : Client ↓" in sheet["A2"].value
    assert [c.value for c in sheet[HEADER_ROW]] == [c.title for c in MAILBOXES.columns]
    addresses = [row[0] for row in sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True)]
    assert addresses == [row[0] for row in expected] and len(addresses) > 1
    assert QSettings().value(export_action.FOLDER_KEY) == str(tmp_path)


def test_the_client_filter_of_a_tab_is_named_in_the_note(
    qtbot: QtBot, demo_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = make_window(qtbot, demo_db)
    ready(qtbot, window)
    window.show_tab(MAIN_TABS.index(MAILBOXES))
    panel = window.current_tab.panel
    query = ListQuery(sort="mailbox_count", descending=True, limit=1)
    owner = list_clients(demo_db, query).rows[0]
    panel.filter_client((owner.id, owner.name))
    target = tmp_path / "client.xlsx"
    save_as(monkeypatch, target)
    window.export_action.trigger()
    qtbot.waitUntil(lambda: "exportée" in message(window), timeout=WAIT)
    sheet = load_workbook(target).active
    assert f"Client : {owner.name}" in sheet["A2"].value
    clients = {row[2] for row in sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True)}
    assert clients == {owner.name}


def test_cancelling_the_dialog_writes_nothing(
    qtbot: QtBot, demo_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = make_window(qtbot, demo_db)
    save_as(monkeypatch, None)
    assert export_action.export_current_tab(window) is None
    assert list(tmp_path.glob("*.xlsx")) == []


def test_cancel_during_the_export_leaves_no_file(
    qtbot: QtBot, demo_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = make_window(qtbot, demo_db)
    ready(qtbot, window)
    window.show_tab(MAIN_TABS.index(MAILBOXES))
    folder = tmp_path / "exports"
    folder.mkdir()
    save_as(monkeypatch, folder / "boites")
    go = threading.Event()
    real = export_action.export_table

    def held(*args: Any, **kwargs: Any) -> int:
        go.wait(WAIT / 1000)
        return real(*args, **kwargs)

    monkeypatch.setattr(export_action, "export_table", held)

    dialog = export_action.export_current_tab(window)
    assert dialog is not None
    button = dialog.findChild(QPushButton)
    assert button is not None and button.text() == "Annuler"
    button.click()  # as the user does
    go.set()

    qtbot.waitUntil(lambda: "annulé" in message(window), timeout=WAIT)
    assert message(window) == "Export annulé : aucun fichier écrit."
    assert list(folder.iterdir()) == []


def test_the_dashboard_has_nothing_to_export(qtbot: QtBot, demo_db: Database) -> None:
    window = make_window(qtbot, demo_db)
    window.show_tab(len(MAIN_TABS))
    assert export_action.export_current_tab(window) is None
    assert message(window) == "Aucune liste à exporter ici."
