"""« Facturation > Relances des impayés… »: the steps due, the run, the confirmed deletion."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest
import sqlalchemy as sa
from dialog_helpers import answer_message_box
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QTextDocument
from PySide6.QtTest import QAbstractItemModelTester
from pytestqt.qtbot import QtBot
from window_helpers import WAIT, click, make_window, plain, screenshot

from desktop.db.engine import Database
from desktop.db.models import DunningEvent, OutboxMessage
from desktop.domain.enums import DunningStage, MailboxStatus, OutboxStatus
from desktop.ui.dialogs import dunning_dialog as module
from desktop.ui.dialogs.dunning_dialog import DunningDialog
from desktop.ui.formatting import GREY
from desktop.ui.main_window import MainWindow
from desktop.ui.models.rows_model import RowsModel
from desktop.ui.views.records import ClientView
from tests.services.test_dunning import DELETE_AT, SUSPEND_AT, D, late_client, set_outbox_status
from tests.services.test_dunning import statuses as states

pytestmark = [
    pytest.mark.usefixtures("fresh_settings"),
    pytest.mark.qt_log_ignore("This plugin does not support raise", extend=True),
]

MODE = QAbstractItemModelTester.FailureReportingMode.Warning


class Clock:
    """The dialog's clock, moved by the test."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    now = Clock(D)
    monkeypatch.setattr(module, "utc_now", now)
    return now


def open_dunning(qtbot: QtBot, db: Database) -> tuple[MainWindow, DunningDialog]:
    window = make_window(qtbot, db)
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "Fac&turation")
    [action] = [a for a in menu.actions() if a.text() == "Relances des &impayés…"]
    action.trigger()
    dialog = window.dunning
    assert isinstance(dialog, DunningDialog)
    QAbstractItemModelTester(dialog.due, MODE)
    QAbstractItemModelTester(dialog.upcoming, MODE)
    qtbot.waitUntil(lambda: dialog.plan is not None, timeout=WAIT)
    return window, dialog


def cells(model: RowsModel, row: int) -> list[str]:
    return [plain(model.index(row, column).data()) for column in range(model.columnCount())]


def summary(dialog: DunningDialog) -> str:
    """The run's summary as read (tags removed, plain spaces)."""
    document = QTextDocument()
    document.setHtml(dialog.summary.text())
    return plain(document.toPlainText())


def reload(qtbot: QtBot, dialog: DunningDialog, check: Callable[[], bool]) -> None:
    click(qtbot, dialog.reload_button)
    qtbot.waitUntil(check, timeout=WAIT)


def run(qtbot: QtBot, dialog: DunningDialog) -> list[str]:
    """Click « Exécuter les étapes dues… », answer yes; the question asked."""
    dialog.report = None
    seen = answer_message_box("Exécuter")
    click(qtbot, dialog.run_button)
    qtbot.waitUntil(lambda: bool(seen), timeout=WAIT)
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=WAIT)
    qtbot.waitUntil(lambda: not dialog.running and dialog.plan is not None, timeout=WAIT)
    return seen


def dunning_rows(db: Database) -> tuple[list[tuple[DunningStage, str | None]], int]:
    with db.read_session() as session:
        events = session.execute(
            sa.select(DunningEvent.stage, DunningEvent.by).order_by(DunningEvent.id)
        ).all()
        outbox = session.execute(sa.select(sa.func.count()).select_from(OutboxMessage))
        return [tuple(row) for row in events], outbox.scalar_one()  # type: ignore[misc]


def test_an_overdue_invoice_is_reminded_once(
    qtbot: QtBot, sqlite_db: Database, clock: Clock
) -> None:
    late = late_client(sqlite_db)
    window, dialog = open_dunning(qtbot, sqlite_db)
    assert dialog.due.rowCount() == 1
    row = cells(dialog.due, 0)
    assert row[2:] == ["Relance", "02/04/2026 00:00", "110,41 €", late.number, "0", ""]
    assert row[1] == "CL00001 Acme Industrie"
    assert dialog.due.index(0, 0).data(Qt.ItemDataRole.CheckStateRole) is None
    assert "1 étape due" in dialog.due_label.text()
    assert dialog.upcoming.rowCount() == 0
    screenshot(qtbot, dialog, "dunning_due")

    seen = run(qtbot, dialog)
    assert seen == ["Exécuter 1 étape due maintenant ?"]
    assert dunning_rows(sqlite_db) == ([(DunningStage.REMINDER, "poste-test")], 1)
    assert summary(dialog).startswith(
        "Relances exécutées le 10/04/2026 09:30 : 1 étape(s) effectuée(s), "
        "0 suppression(s) à confirmer, 0 bloquée(s), 0 échec(s)."
    )
    assert "Relance : " in summary(dialog)
    qtbot.waitUntil(lambda: dialog.due.rowCount() == 0, timeout=WAIT)
    assert "aucune étape due" in dialog.due_label.text()
    assert not dialog.run_button.isEnabled()
    assert cells(dialog.upcoming, 0)[1:3] == ["Suspension", "18/04/2026 09:30"]
    assert cells(dialog.upcoming, 0)[-1] == "2 boîte(s) suspendue(s), e-mail au client"
    screenshot(qtbot, dialog, "dunning_done")

    # A double-click opens the client's record in the window.
    table = dialog.upcoming_table
    rect = table.visualRect(dialog.upcoming.index(0, 0))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    view = window.current_tab.view
    assert isinstance(view, ClientView)
    assert view.record_id == late.client_id


def test_a_deletion_is_done_only_once_confirmed(
    qtbot: QtBot, sqlite_db: Database, clock: Clock
) -> None:
    late = late_client(sqlite_db)
    _window, dialog = open_dunning(qtbot, sqlite_db)
    run(qtbot, dialog)  # the reminder
    clock.at = SUSPEND_AT
    reload(qtbot, dialog, lambda: dialog.due.rowCount() == 1)
    run(qtbot, dialog)  # the suspension
    assert states(sqlite_db, late)[1] == [MailboxStatus.SUSPENDED] * 2

    clock.at = DELETE_AT
    reload(qtbot, dialog, lambda: dialog.due.rowCount() == 1)
    confirm_cell = dialog.due.index(0, 0)
    assert cells(dialog.due, 0)[2] == "Suppression"
    assert dialog.due.flags(confirm_cell) & Qt.ItemFlag.ItemIsUserCheckable
    assert confirm_cell.data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Unchecked
    assert "1 suppression(s) à confirmer" in dialog.due_label.text()
    screenshot(qtbot, dialog, "dunning_deletion")

    # Not ticked: the run leaves it waiting.
    seen = run(qtbot, dialog)
    assert seen == ["Aucune étape ne sera effectuée. Exécuter quand même ?"]
    assert dialog.report is not None and dialog.report.done == ()
    assert "1 suppression(s) à confirmer" in summary(dialog)
    assert len(dunning_rows(sqlite_db)[0]) == 2
    assert states(sqlite_db, late)[1] == [MailboxStatus.SUSPENDED] * 2
    assert dialog.due.rowCount() == 1

    # Ticked: done, every account deleted, and nothing is due any more.
    dialog.due.set_confirmed(late.client_id)
    assert dialog.due.confirmed == {late.client_id}
    seen = run(qtbot, dialog)
    assert seen == ["Exécuter 1 étape due maintenant ?"]
    assert [stage for stage, _by in dunning_rows(sqlite_db)[0]] == [
        DunningStage.REMINDER,
        DunningStage.SUSPENSION,
        DunningStage.DELETION,
    ]
    assert states(sqlite_db, late)[1] == [MailboxStatus.DELETED] * 2
    qtbot.waitUntil(lambda: dialog.due.rowCount() == 0, timeout=WAIT)
    assert dialog.due.confirmed == set()


def test_a_blocked_step_is_greyed_with_its_reason(
    qtbot: QtBot, sqlite_db: Database, clock: Clock
) -> None:
    late_client(sqlite_db)
    _window, dialog = open_dunning(qtbot, sqlite_db)
    run(qtbot, dialog)
    set_outbox_status(sqlite_db, OutboxStatus.FAILED)
    clock.at = SUSPEND_AT
    reload(qtbot, dialog, lambda: dialog.due.rowCount() == 1)
    row = cells(dialog.due, 0)
    assert row[2] == "Suspension" and row[-1].startswith("Bloquée : l'e-mail « ")
    assert dialog.due.index(0, 1).data(Qt.ItemDataRole.ForegroundRole) == QColor(GREY)
    assert "1 bloquée(s)" in dialog.due_label.text()
    screenshot(qtbot, dialog, "dunning_blocked")
    run(qtbot, dialog)
    assert dialog.report is not None and len(dialog.report.blocked) == 1
    assert len(dunning_rows(sqlite_db)[0]) == 1
