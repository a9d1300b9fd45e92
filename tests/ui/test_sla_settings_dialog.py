"""« Qualité > Réglages de la qualité de service… »: the support calendar and objectives."""

from __future__ import annotations

from datetime import time
from decimal import Decimal

import pytest
from PySide6.QtCore import QTime
from pytestqt.qtbot import QtBot
from window_helpers import screenshot

from desktop.db.engine import Database
from desktop.domain.enums import InvoiceLineKind
from desktop.services.sla import sla_settings
from desktop.ui.dialogs import sla_settings_dialog
from desktop.ui.dialogs.sla_settings_dialog import SlaSettingsDialog
from tests.documents.pdf_helpers import store_provider

pytestmark = pytest.mark.usefixtures("fresh_settings")


def open_dialog(qtbot: QtBot, db: Database) -> SlaSettingsDialog:
    dialog = SlaSettingsDialog(None, db=db, actor="moi")
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_the_contracts_values_are_shown_then_changed(qtbot: QtBot, sqlite_db: Database) -> None:
    store_provider(sqlite_db)
    dialog = open_dialog(qtbot, sqlite_db)
    assert dialog.opens_at.time() == QTime(9, 0) and dialog.closes_at.time() == QTime(18, 0)
    assert (dialog.restoration.value(), dialog.replacement.value()) == (8, 96)
    assert dialog.target.value() == 99.0
    assert [k for k, box in dialog.kinds.items() if box.isChecked()] == [
        InvoiceLineKind.SUBSCRIPTION
    ]
    screenshot(qtbot, dialog, "sla_settings")

    dialog.closes_at.setTime(QTime(8, 30))
    dialog.save_button.click()
    assert dialog.errors["closes_at"].text() == "La fermeture du support doit suivre son ouverture."
    assert dialog.saved is None

    dialog.closes_at.setTime(QTime(17, 30))
    dialog.alsace_moselle.setChecked(True)
    dialog.restoration.setValue(6)
    dialog.kinds[InvoiceLineKind.OPTION].setChecked(True)
    dialog.save_button.click()
    assert dialog.saved is not None
    stored = sla_settings(sqlite_db)
    assert (stored.closes_at, stored.alsace_moselle, stored.restoration_hours) == (
        time(17, 30),
        True,
        6,
    )
    assert stored.fixed_line_kinds == (InvoiceLineKind.SUBSCRIPTION, InvoiceLineKind.OPTION)
    assert stored.availability_target == Decimal("99.00")


def test_without_the_providers_identity_nothing_is_saved(qtbot: QtBot, sqlite_db: Database) -> None:
    dialog = open_dialog(qtbot, sqlite_db)
    dialog.save_button.click()
    assert dialog.general.text() == (
        "Renseignez d'abord l'identité du prestataire (Fichier > Paramètres)."
    )
    assert dialog.saved is None


def test_a_conflict_offers_to_reload_what_the_other_desktop_saved(
    qtbot: QtBot, sqlite_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    store_provider(sqlite_db)
    asked: list[str] = []

    def reload_please(_parent: object, message: str, **_texts: str) -> bool:
        asked.append(message)
        return True

    monkeypatch.setattr(sla_settings_dialog, "ask_reload", reload_please)
    first, second = open_dialog(qtbot, sqlite_db), open_dialog(qtbot, sqlite_db)
    first.restoration.setValue(6)
    first.save_button.click()
    assert first.saved is not None

    second.replacement.setValue(48)
    second.save_button.click()
    assert second.saved is None and len(asked) == 1
    assert asked[0].startswith("La fiche du prestataire a été modifiée par moi le ")
    assert second.restoration.value() == 6 and second.replacement.value() == 96  # reloaded
    assert sla_settings(sqlite_db).replacement_hours == 96
    second.replacement.setValue(48)
    second.save_button.click()
    assert second.saved is not None
    assert (
        sla_settings(sqlite_db).restoration_hours,
        sla_settings(sqlite_db).replacement_hours,
    ) == (6, 48)
