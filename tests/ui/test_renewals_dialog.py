"""« Contrats > Renouvellements… »: the anniversaries coming, the preview, the run."""

from __future__ import annotations

from datetime import date

import pytest
from dialog_helpers import answer_message_box
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtTest import QAbstractItemModelTester
from pytestqt.qtbot import QtBot
from window_helpers import (
    WAIT,
    click,
    make_window,
    screenshot,
)

from desktop.db.engine import Database
from desktop.domain.enums import LifecycleKind
from desktop.services.contracts import find_contract
from desktop.services.events import Subject, event_history
from desktop.ui.dialogs.renewals import RenewalsDialog
from desktop.ui.formatting import ORANGE
from desktop.ui.main_window import MainWindow
from desktop.ui.models.rows_model import RowsModel
from desktop.ui.views.records import ContractView

pytestmark = [
    pytest.mark.usefixtures("fresh_settings"),
    pytest.mark.qt_log_ignore("This plugin does not support raise", extend=True),
]

MODE = QAbstractItemModelTester.FailureReportingMode.Warning


def open_renewals(qtbot: QtBot, db: Database) -> tuple[MainWindow, RenewalsDialog]:
    window = make_window(qtbot, db)
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Contrats")
    assert [a.text() for a in menu.actions()] == ["&Renouvellements…"]
    menu.actions()[0].trigger()
    dialog = window.renewals
    assert isinstance(dialog, RenewalsDialog)
    qtbot.waitUntil(lambda: dialog.upcoming.rowCount() > 0, timeout=WAIT)
    return window, dialog


def cells(model: RowsModel, row: int) -> list[str]:
    return [model.index(row, column).data() for column in range(model.columnCount())]


def test_the_coming_anniversaries_flag_missing_mandates(qtbot: QtBot, demo_db: Database) -> None:
    window, dialog = open_renewals(qtbot, demo_db)
    QAbstractItemModelTester(dialog.upcoming, MODE)
    assert "Échéances des 30 prochains jours (délai d'alerte SEPA)" in dialog.upcoming_label.text()
    assert dialog.upcoming.rowCount() == 1
    assert cells(dialog.upcoming, 0) == [
        "06/12/2026",
        "C2024-00009",
        "Guyot Solutions",
        "Office 365",
        "7",
        "1",
        "⚠ Aucun mandat actif",
    ]
    mandate = dialog.upcoming.index(0, 6)
    assert mandate.data(Qt.ItemDataRole.ForegroundRole) == QColor(ORANGE)
    assert mandate.data(Qt.ItemDataRole.ToolTipRole) == (
        "Aucun mandat SEPA actif : le renouvellement se règle par prélèvement (HE §9.3)."
    )
    screenshot(qtbot, dialog, "renewals_upcoming")
    table = dialog.upcoming_table
    rect = table.visualRect(dialog.upcoming.index(0, 1))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    view = window.current_tab.view
    assert isinstance(view, ContractView)
    assert view.record_id == find_contract(demo_db, "C2024-00009").id


def test_preview_then_renew(qtbot: QtBot, demo_db: Database) -> None:
    _window, dialog = open_renewals(qtbot, demo_db)
    dialog.tabs.setCurrentIndex(1)
    QAbstractItemModelTester(dialog.outcomes, MODE)
    dialog.run_date.setText("22/01/2027")
    click(qtbot, dialog.preview_button)
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=WAIT)
    assert dialog.summary.text() == (
        "Aperçu au 22/01/2027 (rien n'est enregistré) : 3 échéances, 28 boîtes renouvelées, "
        "2 boîtes arrêtées, 0 contrat terminé."
    )
    assert [cells(dialog.outcomes, row)[1] for row in range(3)] == [
        "C2023-00005",
        "C2024-00009",
        "C2024-00010",
    ]
    assert cells(dialog.outcomes, 0)[3:] == ["jusqu'au 23/12/2027", "17", "1", "Renouvelé"]
    tooltip = dialog.outcomes.index(0, 5).data(Qt.ItemDataRole.ToolTipRole)
    assert tooltip == "g.faure@roche-et-associes.fr"
    assert find_contract(demo_db, "C2023-00005").renewed_through == date(2025, 12, 24)
    screenshot(qtbot, dialog, "renewals_preview")

    seen = answer_message_box("Renouveler")
    click(qtbot, dialog.run_button)
    qtbot.waitUntil(lambda: bool(seen), timeout=WAIT)
    assert seen == ["Renouveler les contrats arrivés à échéance au 22/01/2027 ?"]
    qtbot.waitUntil(lambda: dialog.report is not None and dialog.report.applied, timeout=WAIT)
    assert dialog.summary.text().startswith(
        "Renouvellement effectué au 22/01/2027 : 3 échéances, 28 boîtes renouvelées"
    )
    contract = find_contract(demo_db, "C2023-00005")
    assert contract.renewed_through == date(2026, 12, 24)
    events = event_history(demo_db, Subject(contract_id=contract.id))
    assert events[0].kind is LifecycleKind.RENEWAL and events[0].by == "poste-test"

    seen = answer_message_box("Renouveler")  # again: nothing is done twice
    click(qtbot, dialog.run_button)
    qtbot.waitUntil(lambda: bool(seen), timeout=WAIT)
    qtbot.waitUntil(lambda: "aucune échéance" in dialog.summary.text(), timeout=WAIT)
    assert dialog.outcomes.rowCount() == 0


def test_changing_the_date_drops_the_preview(qtbot: QtBot, demo_db: Database) -> None:
    _window, dialog = open_renewals(qtbot, demo_db)
    dialog.run_date.setText("22/01/2027")
    click(qtbot, dialog.preview_button)
    qtbot.waitUntil(lambda: dialog.outcomes.rowCount() == 3, timeout=WAIT)
    dialog.run_date.setText("31/02/2027")
    assert dialog.outcomes.rowCount() == 0
    assert dialog.summary.text() == "Date changée : refaites l'aperçu."
    click(qtbot, dialog.preview_button)
    assert dialog.run_error.text() == "Cette date n'existe pas : 31/02/2027."
