"""« Fichier > Données personnelles… » and the « Anonymiser… » buttons of the records."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from dialog_helpers import answer_message_box
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot
from window_helpers import click, make_window, open_view, screenshot, wait_reloaded

from desktop.db.engine import Database
from desktop.db.models import Client, Mailbox
from desktop.domain.enums import ClientStatus
from desktop.services.personal_data import retention_settings, save_retention_settings
from desktop.ui.dialogs.personal_data_dialog import ANONYMISE, PersonalDataDialog
from desktop.ui.tabs.specs import RecordKind
from tests.services.test_personal_data import Closed, closed_consumer, one

pytestmark = pytest.mark.usefixtures("fresh_settings")

DUE = date(2026, 3, 15)


@pytest.fixture
def closed(sqlite_db: Database) -> Closed:
    return closed_consumer(sqlite_db, ended=date(2023, 3, 15))


def open_dialog(qtbot: QtBot, db: Database) -> PersonalDataDialog:
    dialog = PersonalDataDialog(None, db=db, actor="moi", today=DUE)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def answer_boxes(*buttons: str) -> list[str]:
    """Click ``buttons`` in turn, each in the next modal message box; the boxes' texts."""
    seen: list[str] = []
    waiting = list(buttons)

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox) and box.text() not in seen:
            seen.append(box.text())
            wanted = waiting.pop(0)
            next(b for b in box.buttons() if b.text() == wanted).click()
        if waiting:
            QTimer.singleShot(10, answer)

    QTimer.singleShot(0, answer)
    return seen


def cells(dialog: PersonalDataDialog) -> list[list[str]]:
    table = dialog.table
    return [
        [table.item(row, column).text() for column in range(table.columnCount())]
        for row in range(table.rowCount())
    ]


def test_the_plan_is_listed_then_anonymised_once_confirmed(
    qtbot: QtBot, sqlite_db: Database, closed: Closed
) -> None:
    dialog = open_dialog(qtbot, sqlite_db)
    assert [spin.value() for spin in dialog.spins.values()] == [36, 36, 12]
    assert dialog.summary.text() == "1 élément(s) dont la durée de conservation est écoulée."
    assert cells(dialog) == [
        [
            "Client résilié",
            f"{closed.code} — Jeanne Martin",
            "15/03/2026",
            "client résilié le 15/03/2023 (conservation 36 mois)",
        ]
    ]
    assert dialog.held.isHidden()
    screenshot(qtbot, dialog, "personal_data")

    seen = answer_message_box("Annuler")
    click(qtbot, dialog.purge_button)
    assert seen[0].startswith("Anonymiser définitivement 1 élément(s) ?")
    assert "Les factures et avoirs émis restent tels quels" in seen[0]
    assert one(sqlite_db, Client, closed.client_id).status is ClientStatus.TERMINATED

    answer_message_box("Anonymiser")
    click(qtbot, dialog.purge_button)
    assert one(sqlite_db, Client, closed.client_id).status is ClientStatus.ANONYMISED
    assert dialog.notice.text() == "1 élément(s) anonymisé(s)."
    assert (cells(dialog), dialog.summary.text()) == ([], "Rien à anonymiser aujourd'hui.")
    assert not dialog.purge_button.isEnabled()


def test_saving_the_periods_updates_the_plan(
    qtbot: QtBot, sqlite_db: Database, closed: Closed
) -> None:
    dialog = open_dialog(qtbot, sqlite_db)
    dialog.spins["client_months"].setValue(48)
    click(qtbot, dialog.save_button)
    assert retention_settings(sqlite_db).client_months == 48
    assert dialog.notice.text() == "Durées de conservation enregistrées."
    # 48 months have not run for the client yet: only its mailbox's own 12 have
    assert [row[:2] for row in cells(dialog)] == [["Boîte supprimée", "jeanne@martin-famille.fr"]]


def test_a_conflict_offers_to_reload_the_periods(
    qtbot: QtBot, sqlite_db: Database, closed: Closed
) -> None:
    dialog = open_dialog(qtbot, sqlite_db)
    current = retention_settings(sqlite_db)
    save_retention_settings(
        sqlite_db,
        replace(current, mailbox_months=6),
        expected_version=current.version,
        actor="autre",
    )
    dialog.spins["prospect_months"].setValue(12)
    seen = answer_message_box("Recharger")
    click(qtbot, dialog.save_button)
    assert seen[0].startswith("La fiche du prestataire a été modifiée par autre le ")
    assert [spin.value() for spin in dialog.spins.values()] == [36, 36, 6]
    assert retention_settings(sqlite_db).prospect_months == 36


def test_a_terminated_client_is_anonymised_from_its_record(
    qtbot: QtBot, sqlite_db: Database, closed: Closed
) -> None:
    window = make_window(qtbot, sqlite_db)
    active = open_view(qtbot, window, RecordKind.CLIENT, closed.other_id)
    assert active.button(ANONYMISE) is None
    view = open_view(qtbot, window, RecordKind.CLIENT, closed.client_id)
    screenshot(qtbot, window, "client_anonymise")
    seen = answer_message_box("Anonymiser")
    click(qtbot, view.button(ANONYMISE))
    assert seen == [
        f"Anonymiser le client {closed.code} ? Ses contacts, e-mails, téléphones, notes, "
        "mandats SEPA et boîtes aux lettres seront anonymisés, ainsi que son nom et son "
        "adresse, sans retour possible. Les factures et avoirs émis restent tels quels "
        "(conservation légale de 10 ans) : leur chaîne d'intégrité n'est pas modifiée."
    ]
    record = wait_reloaded(qtbot, view, lambda r: r.status is ClientStatus.ANONYMISED)
    assert record.name == f"Anonyme {closed.code}"
    assert view.notice.text().startswith(f"Client {closed.code} anonymisé : 1 contact(s)")
    assert view.button(ANONYMISE) is None


def test_a_refusal_is_shown_and_nothing_changes(qtbot: QtBot, sqlite_db: Database) -> None:
    closed = closed_consumer(sqlite_db, paid=False)
    window = make_window(qtbot, sqlite_db)
    view = open_view(qtbot, window, RecordKind.CLIENT, closed.client_id)
    seen = answer_boxes("Anonymiser", "OK")
    click(qtbot, view.button(ANONYMISE))
    qtbot.waitUntil(lambda: len(seen) == 2)
    assert seen[1].startswith(f"Le client {closed.code} ne peut pas être anonymisé : ")
    assert seen[1].endswith("(anonymisez après règlement ou avoir).")
    assert one(sqlite_db, Client, closed.client_id).name == "Jeanne Martin"


def test_a_deleted_mailbox_is_anonymised_from_its_record(
    qtbot: QtBot, sqlite_db: Database, closed: Closed
) -> None:
    window = make_window(qtbot, sqlite_db)
    view = open_view(qtbot, window, RecordKind.MAILBOX, closed.mailbox_id)
    seen = answer_message_box("Anonymiser")
    click(qtbot, view.button(ANONYMISE))
    assert seen[0].startswith("Anonymiser la boîte jeanne@martin-famille.fr ?")
    address = f"anonyme-{closed.mailbox_id}@martin-famille.fr"
    wait_reloaded(qtbot, view, lambda r: r.address == address)
    assert one(sqlite_db, Mailbox, closed.mailbox_id).display_name is None
    assert view.button(ANONYMISE) is None


def test_the_file_menu_opens_the_dialog(qtbot: QtBot, sqlite_db: Database) -> None:
    window = make_window(qtbot, sqlite_db)
    window.personal_data_action.trigger()
    dialog = window.findChild(PersonalDataDialog)
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.summary.text() == "Rien à anonymiser aujourd'hui."
    dialog.reject()
