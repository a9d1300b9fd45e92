"""Contract screens, continued: a new contract opens its record, an empty history says so,
and the contract dialog checks the order of its dates as they are typed."""

from __future__ import annotations

from datetime import date

import pytest
from dialog_helpers import message, shown
from factories import world
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from window_helpers import WAIT, click, make_window, open_view, screenshot

from desktop.db.engine import Database
from desktop.domain.errors import ValidationError
from desktop.services.contracts import ContractDraft, create_contract, find_contract
from desktop.services.events import Subject, event_history
from desktop.ui.dialogs.contract_dialog import (
    SIGNED_BEFORE_ORDER,
    START_BEFORE_ORDER,
    ContractDialog,
)
from desktop.ui.tabs.specs import RecordKind
from desktop.ui.views.history import NO_EVENT
from desktop.ui.views.records import ContractView

pytestmark = pytest.mark.usefixtures("fresh_settings")


# --- a new contract opens its record ------------------------------------------------------


def fill_new_contract(line_id: int, seen: list[ContractDialog]) -> None:
    """Once the (modal) contract dialog shows: choose the line, date the order, save."""
    dialog = QApplication.activeModalWidget()
    if not isinstance(dialog, ContractDialog):
        QTimer.singleShot(10, lambda: fill_new_contract(line_id, seen))
        return
    seen.append(dialog)
    dialog.product_line.select(line_id)
    dialog.ordered_on.setText("02/11/2026")
    dialog.signed_on.setText("03/11/2026")
    dialog.save_button.click()


def test_a_new_contract_opens_its_record(qtbot: QtBot, sqlite_db: Database) -> None:
    w = world(sqlite_db)
    window = make_window(qtbot, sqlite_db)
    client_view = open_view(qtbot, window, RecordKind.CLIENT, w.client_id)
    seen: list[ContractDialog] = []
    QTimer.singleShot(0, lambda: fill_new_contract(w.he_line_id, seen))
    click(qtbot, client_view.button("Nouveau contrat…"))  # returns once the dialog closed
    assert len(seen) == 1 and seen[0].saved is not None
    created = seen[0].saved
    view = window.current_tab.view
    assert isinstance(view, ContractView)
    assert view.record_id == created.id
    qtbot.waitUntil(lambda: view.record is not None, timeout=WAIT)
    assert view.heading.text() == f"Contrat {created.number}"
    assert find_contract(sqlite_db, created.number).ordered_on == date(2026, 11, 2)
    # Followed like a link: "Précédent" goes back to the client.
    assert window.history.entries[-2:] == [
        (RecordKind.CLIENT, w.client_id),
        (RecordKind.CONTRACT, created.id),
    ]
    window.step_history(-1)
    assert window.current_tab.view is not None
    assert window.current_tab.view.kind is RecordKind.CLIENT


def test_editing_a_contract_leaves_its_record_where_it_is(
    qtbot: QtBot, sqlite_db: Database
) -> None:
    w = world(sqlite_db)
    window = make_window(qtbot, sqlite_db)
    view = open_view(qtbot, window, RecordKind.CONTRACT, w.he_contract_id)

    def close_saving() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, ContractDialog):
            QTimer.singleShot(10, close_saving)
            return
        dialog.notes.setPlainText("Interlocuteur : service informatique.")
        dialog.save_button.click()

    QTimer.singleShot(0, close_saving)
    window.edit_record(RecordKind.CONTRACT, w.he_contract_id)
    assert window.current_tab.view is view  # the same record, refreshed
    assert window.history.entries == [(RecordKind.CONTRACT, w.he_contract_id)]


# --- an empty history -----------------------------------------------------------------------


def test_a_record_without_history_says_so(qtbot: QtBot, sqlite_db: Database) -> None:
    w = world(sqlite_db)  # its contracts were written directly: no event
    assert event_history(sqlite_db, Subject(contract_id=w.he_contract_id)) == []
    window = make_window(qtbot, sqlite_db)
    view = open_view(qtbot, window, RecordKind.CONTRACT, w.he_contract_id)
    assert isinstance(view, ContractView)
    history = view.history
    qtbot.waitUntil(lambda: not history.empty.isHidden(), timeout=WAIT)
    assert history.empty.text() == NO_EVENT == "Aucun événement enregistré."
    assert history.table.isHidden()
    view.tabs.setCurrentWidget(history)
    screenshot(qtbot, view, "contract_empty_history")


def test_a_record_with_history_shows_its_events(qtbot: QtBot, sqlite_db: Database) -> None:
    w = world(sqlite_db)
    contract = create_contract(
        sqlite_db,
        ContractDraft(client_id=w.client_id, product_line_id=w.he_line_id),
        actor="tester",
    )
    window = make_window(qtbot, sqlite_db)
    view = open_view(qtbot, window, RecordKind.CONTRACT, contract.id)
    assert isinstance(view, ContractView)
    history = view.history
    qtbot.waitUntil(lambda: len(history.events()) == 1, timeout=WAIT)
    assert history.empty.isHidden()
    assert not history.table.isHidden()


# --- dates in order, as typed -----------------------------------------------------------------


def test_dates_out_of_order_are_refused_as_typed(qtbot: QtBot, sqlite_db: Database) -> None:
    w = world(sqlite_db)
    dialog = shown(qtbot, ContractDialog(None, db=sqlite_db, actor="moi", client_id=w.client_id))
    dialog.product_line.select(w.he_line_id)
    dialog.ordered_on.setText("10/11/2026")
    assert dialog.save_button.isEnabled()

    dialog.signed_on.setText("01/11/2026")
    assert message(dialog, "signed_on") == SIGNED_BEFORE_ORDER
    assert not dialog.save_button.isEnabled()
    dialog.service_start.setText("05/11/2026")
    assert message(dialog, "service_start") == START_BEFORE_ORDER
    screenshot(qtbot, dialog, "contract_dates_out_of_order")

    # The order dated earlier: both dates are fine again.
    dialog.ordered_on.setText("01/11/2026")
    assert message(dialog, "signed_on") == ""
    assert message(dialog, "service_start") == ""
    assert dialog.save_button.isEnabled()
    # Without an order date nothing is compared; the service may start before the
    # signature (the order alone starts it, rules §4).
    dialog.ordered_on.clear()
    dialog.signed_on.setText("20/11/2026")
    assert message(dialog, "signed_on") == ""
    assert message(dialog, "service_start") == ""
    dialog.ordered_on.setText("21/11/2026")
    assert message(dialog, "signed_on") == SIGNED_BEFORE_ORDER
    dialog.ordered_on.setText("05/11/2026")
    assert dialog.save_button.isEnabled()
    click(qtbot, dialog.save_button)
    saved = find_contract(sqlite_db, dialog.saved.number)
    assert (saved.ordered_on, saved.signed_on, saved.service_start) == (
        date(2026, 11, 5),
        date(2026, 11, 20),
        date(2026, 11, 5),
    )


def test_the_messages_are_the_services_own(sqlite_db: Database) -> None:
    w = world(sqlite_db)
    draft = ContractDraft(
        client_id=w.client_id,
        product_line_id=w.he_line_id,
        ordered_on=date(2026, 11, 10),
        signed_on=date(2026, 11, 1),
        service_start=date(2026, 11, 5),
    )
    with pytest.raises(ValidationError) as info:
        create_contract(sqlite_db, draft, actor="tester")
    assert info.value.errors == {
        "signed_on": SIGNED_BEFORE_ORDER,
        "service_start": START_BEFORE_ORDER,
    }
