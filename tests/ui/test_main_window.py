"""The office window as a user drives it: tabs, search, filters, sort, records, history."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from desktop import app
from desktop.db.engine import Database
from desktop.domain.enums import QuoteStatus
from desktop.services.clients import list_clients
from desktop.services.listing import ListQuery
from desktop.services.mailboxes import list_mailboxes
from desktop.services.upkeep import run_upkeep
from desktop.ui.dialogs.welcome import WelcomeDialog
from desktop.ui.formatting import french_int
from desktop.ui.main_window import TAB_OF, MainWindow
from desktop.ui.tabs.list_panel import ListPanel
from desktop.ui.tabs.specs import RecordKind
from desktop.ui.views.records import ClientView, MailboxView

WAIT = 15_000


@pytest.fixture(autouse=True)
def fresh_settings() -> Iterator[None]:
    QApplication.setOrganizationName("BackOfficeMessagerieTests")
    QApplication.setApplicationName("tests")
    QSettings().clear()
    yield
    QSettings().clear()


def make_window(qtbot: QtBot, db: Database) -> MainWindow:
    window = app.build_window(db, "poste-test")
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    for tab in window.record_tabs:
        qtbot.waitUntil(lambda t=tab: t.panel.model.total is not None, timeout=WAIT)
    return window


def press(qtbot: QtBot, window: MainWindow, key: Qt.Key, modifier: Qt.KeyboardModifier) -> None:
    """A key pressed in the window as it is on screen: active, keys to its focus widget."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT)
    qtbot.keyClick(QApplication.focusWidget() or window, key, modifier)


def wait_rows(qtbot: QtBot, panel: ListPanel, action: object) -> None:
    with qtbot.waitSignal(panel.model.first_page_shown, timeout=WAIT):
        action()  # type: ignore[operator]
    qtbot.waitUntil(lambda: panel.model.total is not None, timeout=WAIT)


def column_texts(panel: ListPanel, column: int) -> list[str]:
    model = panel.model
    return [model.data(model.index(row, column)) for row in range(min(model.rowCount(), 100))]


def test_five_tabs_with_counts_and_the_database(qtbot: QtBot, demo_db: Database) -> None:
    window = make_window(qtbot, demo_db)
    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert titles == [
        "Clients",
        "Domaines",
        "Boîtes aux lettres",
        "Factures",
        "Incidents",
        "Devis",
        "Tableau de bord",
    ]
    clients = list_clients(demo_db, ListQuery(limit=0)).total
    assert window.record_tabs[0].panel.count_label.text() == f"{french_int(clients)} clients"
    assert window.count_label.text() == f"Clients : {french_int(clients)} clients"
    assert window.database_label.text() == f"Base de données : {demo_db.description}"
    press(qtbot, window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentIndex() == 2
    mailboxes = list_mailboxes(demo_db, ListQuery(limit=0)).total
    assert window.count_label.text().startswith(f"Boîtes aux lettres : {french_int(mailboxes)}")


def test_typing_a_search_filters_the_clients(qtbot: QtBot, demo_db: Database) -> None:
    window = make_window(qtbot, demo_db)
    panel = window.record_tabs[0].panel
    target = list_clients(demo_db, ListQuery(limit=1, sort="name")).rows[0]
    window.focus_search()
    assert panel.search.hasFocus()
    wait_rows(qtbot, panel, lambda: qtbot.keyClicks(panel.search, target.code))
    assert panel.model.rowCount() == 1
    assert column_texts(panel, 1) == [target.name]
    assert panel.count_label.text() == "1 client"
    wait_rows(qtbot, panel, lambda: qtbot.keyClicks(panel.search, "zzz-introuvable"))
    assert panel.model.rowCount() == 0
    assert panel.count_label.text() == "0 client"


def test_status_filter_and_header_sort(qtbot: QtBot, demo_db: Database) -> None:
    window = make_window(qtbot, demo_db)
    window.show_tab(2)
    panel = window.record_tabs[2].panel
    wait_rows(qtbot, panel, lambda: panel.set_filter("status", "suspended"))
    expected = list_mailboxes(demo_db, ListQuery(filters={"status": "suspended"})).total
    assert panel.model.rowCount() == expected
    assert set(column_texts(panel, 3)) == {"Suspendue"}
    header = panel.table.horizontalHeader()
    client_column = QPoint(header.sectionViewportPosition(2) + 20, header.height() // 2)
    click = lambda: qtbot.mouseClick(  # noqa: E731
        header.viewport(), Qt.MouseButton.LeftButton, pos=client_column
    )
    wait_rows(qtbot, panel, click)  # "Client", ascending
    wait_rows(qtbot, panel, click)  # and again: descending
    assert (panel.model.query.sort, panel.model.query.descending) == ("client", True)
    names = column_texts(panel, 2)
    assert names == sorted(names, key=str.lower, reverse=True)
    assert header.sortIndicatorSection() == 2


def test_enter_opens_the_record_and_links_navigate_with_history(
    qtbot: QtBot, demo_db: Database
) -> None:
    window = make_window(qtbot, demo_db)
    window.show_tab(2)
    tab = window.record_tabs[2]
    table = tab.panel.table
    table.setFocus()
    table.setCurrentIndex(tab.panel.model.index(0, 0))
    qtbot.keyClick(table, Qt.Key.Key_Return)
    assert isinstance(tab.view, MailboxView)
    qtbot.waitUntil(lambda: tab.view is not None and tab.view.record is not None, timeout=WAIT)
    mailbox = tab.view.record
    assert tab.view.heading.text() == mailbox.display_address
    tab.view.navigate.emit(RecordKind.CLIENT, mailbox.client_id)  # the "Client" link
    assert window.tabs.currentIndex() == 0
    client_view = window.record_tabs[0].view
    assert isinstance(client_view, ClientView)
    qtbot.waitUntil(lambda: client_view.record is not None, timeout=WAIT)
    assert client_view.record.name == mailbox.client_name
    tab_names = [client_view.tabs.tabText(i) for i in range(client_view.tabs.count())]
    assert [name.split(" (")[0] for name in tab_names] == [
        "Contacts",
        "Domaines",
        "Contrats",
        "Boîtes aux lettres",
        "Factures",
        "Devis",
        "Incidents",
        "Codes d'accès",
    ]
    press(qtbot, window, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert window.tabs.currentIndex() == 2
    assert tab.view is not None and tab.view.record_id == mailbox.id
    press(qtbot, window, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert window.tabs.currentIndex() == 0
    press(qtbot, window, Qt.Key.Key_Escape, Qt.KeyboardModifier.NoModifier)
    assert window.record_tabs[0].view is None


def test_a_client_record_lists_only_its_own_mailboxes(qtbot: QtBot, demo_db: Database) -> None:
    window = make_window(qtbot, demo_db)
    client = list_clients(demo_db, ListQuery(sort="mailbox_count", descending=True)).rows[0]
    window.open_record(RecordKind.CLIENT, client.id)
    view = window.record_tabs[0].view
    assert isinstance(view, ClientView)
    qtbot.waitUntil(lambda: view.record is not None, timeout=WAIT)
    panel = view.tabs.widget(3)
    assert isinstance(panel, ListPanel)
    qtbot.waitUntil(lambda: panel.model.total is not None, timeout=WAIT)
    assert panel.model.total == client.mailbox_count
    assert set(column_texts(panel, 2)) == {client.name}


def test_layout_is_remembered(qtbot: QtBot, demo_db: Database) -> None:
    window = make_window(qtbot, demo_db)
    window.show_tab(1)
    window.record_tabs[1].panel.table.setColumnWidth(1, 333)
    window.close()
    again = make_window(qtbot, demo_db)
    assert again.tabs.currentIndex() == 1
    assert again.record_tabs[1].panel.table.columnWidth(1) == 333


def test_a_bad_database_is_shown_in_a_dialog(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda _parent, _title, text: shown.append(text))
    corrupt = tmp_path / "corrupt.sqlite3"
    corrupt.write_bytes(b"this is no database" * 10)
    assert app.run(str(corrupt)) == 1
    assert len(shown) == 1
    assert "corrupt.sqlite3" in shown[0]


def test_only_one_client_from_the_context_menu_choice(qtbot: QtBot, demo_db: Database) -> None:
    window = make_window(qtbot, demo_db)
    panel = window.record_tabs[2].panel
    client = list_clients(demo_db, ListQuery(sort="mailbox_count", descending=True)).rows[0]
    wait_rows(qtbot, panel, lambda: panel.filter_client((client.id, client.name)))
    assert panel.client_chip.isVisibleTo(panel)
    assert panel.client_chip.text() == f"Client : {client.name}  ✕"
    assert panel.model.total == client.mailbox_count
    wait_rows(qtbot, panel, panel.client_chip.click)
    assert panel.model.total == list_mailboxes(demo_db, ListQuery(limit=0)).total
    assert not panel.client_chip.isVisibleTo(panel)


def test_first_start_offers_the_welcome_then_loads_the_demo(
    qtbot: QtBot, sqlite_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(WelcomeDialog, "exec", lambda _self: WelcomeDialog.DEMO)
    window = app.build_window(sqlite_db, "poste-test")
    qtbot.addWidget(window)
    panel = window.record_tabs[0].panel
    qtbot.waitUntil(lambda: panel.model.total == 0, timeout=WAIT)
    with qtbot.waitSignal(panel.model.first_page_shown, timeout=120_000):
        app.welcome(window, sqlite_db, "poste-test")
    qtbot.waitUntil(lambda: (panel.model.total or 0) > 0, timeout=WAIT)
    assert not window.demo_action.isEnabled()


def test_the_day_upkeep_is_told_in_the_status_bar(qtbot: QtBot, demo_db: Database) -> None:
    window = app.build_window(demo_db, "poste-test")
    qtbot.addWidget(window)
    window.show_upkeep(run_upkeep(demo_db, date(2026, 1, 1), actor="poste-test"))
    assert window.statusBar().currentMessage() == ""  # nothing was due: nothing said
    quotes = window.record_tabs[TAB_OF[RecordKind.QUOTE]].panel
    quotes.set_filter("status", QuoteStatus.EXPIRED)
    qtbot.waitUntil(lambda: quotes.model.total is not None, timeout=WAIT)
    expired_before = quotes.model.total or 0

    upkeep = run_upkeep(demo_db, date(2030, 1, 1), actor="poste-test")
    assert upkeep.expired_quotes
    with qtbot.waitSignal(quotes.model.first_page_shown, timeout=WAIT):
        window.show_upkeep(upkeep)  # and the lists are shown again
    assert window.statusBar().currentMessage() == f"{upkeep.summary()}."
    qtbot.waitUntil(
        lambda: quotes.model.total == expired_before + len(upkeep.expired_quotes), timeout=WAIT
    )
