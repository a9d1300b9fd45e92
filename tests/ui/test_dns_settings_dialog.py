"""The DNS records of the instruction sheets, as staff edit them from the settings."""

from __future__ import annotations

import pytest
from dialog_helpers import answer_message_box
from factories import world
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLineEdit
from pytestqt.qtbot import QtBot
from window_helpers import WAIT, click, make_window, plain, screenshot

from desktop.db.engine import Database
from desktop.domain.dns_records import DEFAULTS
from desktop.domain.enums import ProductLineCode
from desktop.services.dns_settings import DnsValues, dns_settings, save_dns_settings
from desktop.settings import LocalSettings
from desktop.ui.dialogs.dns_settings import PREVIEW_BLOCKED, DnsSettingsDialog, open_dns_settings
from desktop.ui.dialogs.settings import SettingsDialog

pytestmark = pytest.mark.usefixtures("fresh_settings")

HE = "Hosted Exchange"
BAD_SPF = "include:spf.relais.fr"
GOOD_SPF = "v=spf1 include:spf.relais.fr -all"


def type_into(qtbot: QtBot, edit: QLineEdit, text: str) -> None:
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    qtbot.keyClicks(edit, text)


def open_dialog(qtbot: QtBot, db: Database) -> DnsSettingsDialog:
    dialog = DnsSettingsDialog(None, db=db, actor="amartin")
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def save(qtbot: QtBot, dialog: DnsSettingsDialog) -> None:
    with qtbot.waitSignal(dialog.finished, timeout=WAIT):
        click(qtbot, dialog.save_button)
    assert dialog.result() == QDialog.DialogCode.Accepted


def he_values(db: Database) -> DnsValues:
    return next(line.values for line in dns_settings(db) if line.name == HE)


def test_opened_from_the_domains_tab_of_the_settings(qtbot: QtBot, sqlite_db: Database) -> None:
    world(sqlite_db)
    window = make_window(qtbot, sqlite_db)
    settings = SettingsDialog(window, None, lambda _d, _v: None, LocalSettings(), lambda _s: None)  # type: ignore[arg-type, return-value]
    qtbot.addWidget(settings)
    settings.show()
    settings.tabs.setCurrentIndex(2)
    assert settings.tabs.tabText(2) == "Domaines"
    assert settings.dns_button.text() == "Enregistrements DNS des fiches d'instructions…"
    screenshot(qtbot, settings, "settings_domains")
    click(qtbot, settings.dns_button)
    dialog = settings.dns_dialog
    assert isinstance(dialog, DnsSettingsDialog)
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT)
    assert dialog.actor == "poste-test"  # the window's staff member
    assert [group.title() for group in dialog.groups] == [HE, "Office 365"]
    dialog.reject()


def test_without_a_database_nothing_opens(qtbot: QtBot) -> None:
    shown = answer_message_box("OK")
    assert open_dns_settings(None) is None  # type: ignore[arg-type]
    qtbot.waitUntil(lambda: bool(shown))
    assert shown == ["Aucune base de données n'est ouverte."]


def test_a_bad_spf_is_said_as_typed_then_fixed_and_saved(qtbot: QtBot, sqlite_db: Database) -> None:
    world(sqlite_db)
    dialog = open_dialog(qtbot, sqlite_db)
    group = dialog.group(HE)
    defaults = DEFAULTS[ProductLineCode.HOSTED_EXCHANGE]
    assert group.edits["spf"].text() == ""
    assert group.edits["spf"].placeholderText() == defaults.spf
    assert group.edits["mx_priority"].placeholderText() == "10"
    assert f"{defaults.mx} (priorité 10)" in plain(group.preview.text())
    assert not dialog.save_button.isEnabled()  # nothing changed yet

    type_into(qtbot, group.edits["spf"], BAD_SPF)
    error = group.rows["spf"].error
    assert not error.isHidden()
    assert error.text() == f"Un enregistrement SPF commence par « v=spf1 » (reçu : « {BAD_SPF} »)."
    assert PREVIEW_BLOCKED in group.preview.text()
    assert not dialog.save_button.isEnabled()
    screenshot(qtbot, dialog, "dns_settings_error")

    type_into(qtbot, group.edits["spf"], GOOD_SPF)
    type_into(qtbot, group.edits["mx_priority"], "20")
    assert error.isHidden()
    assert GOOD_SPF in group.preview.text()
    assert f"{defaults.mx} (priorité 20)" in plain(group.preview.text())
    assert dialog.save_button.isEnabled()
    screenshot(qtbot, dialog, "dns_settings")
    save(qtbot, dialog)
    assert he_values(sqlite_db) == DnsValues(mx_priority=20, spf=GOOD_SPF)
    assert [saved.name for saved in dialog.saved] == [HE]  # the other line is left alone

    again = open_dialog(qtbot, sqlite_db)
    assert again.group(HE).edits["spf"].text() == GOOD_SPF
    assert again.group(HE).edits["mx_priority"].text() == "20"
    assert again.group(HE).edits["mx"].text() == ""

    click(qtbot, again.group(HE).default_button)
    assert all(edit.text() == "" for edit in again.group(HE).edits.values())
    save(qtbot, again)
    assert he_values(sqlite_db) == DnsValues()


def test_a_bad_priority_and_a_bad_template(qtbot: QtBot, sqlite_db: Database) -> None:
    world(sqlite_db)
    dialog = open_dialog(qtbot, sqlite_db)
    group = dialog.group("Office 365")
    type_into(qtbot, group.edits["mx_priority"], "dix")
    type_into(qtbot, group.edits["autodiscover"], "auto.{client}.fr")
    assert group.rows["mx_priority"].error.text() == (
        "La priorité MX est un nombre entier de 0 à 65535."
    )
    assert group.rows["autodiscover"].error.text().startswith("Champ inconnu « {client} »")
    assert not dialog.save_button.isEnabled()
    dialog.reject()
    assert next(line for line in dns_settings(sqlite_db) if line.name == "Office 365").values == (
        DnsValues()
    )


def test_a_change_made_meanwhile_is_not_overwritten(qtbot: QtBot, sqlite_db: Database) -> None:
    world(sqlite_db)
    dialog = open_dialog(qtbot, sqlite_db)
    line = dialog.group(HE).settings
    theirs = dict.fromkeys(("mx_priority", "autodiscover", "spf"), "") | {"mx": "mx9.relais.fr"}
    save_dns_settings(sqlite_db, line.id, **theirs, expected_version=line.version, actor="jdupont")
    type_into(qtbot, dialog.group(HE).edits["spf"], GOOD_SPF)
    seen = answer_message_box("Recharger")
    click(qtbot, dialog.save_button)
    qtbot.waitUntil(lambda: bool(seen), timeout=WAIT)
    assert seen[0].startswith("Cette gamme a été modifiée par jdupont le ")
    qtbot.waitUntil(lambda: dialog.group(HE).edits["mx"].text() == "mx9.relais.fr", timeout=WAIT)
    assert dialog.group(HE).edits["spf"].text() == ""
    assert dialog.isVisible() and not dialog.save_button.isEnabled()
    assert he_values(sqlite_db) == DnsValues(mx="mx9.relais.fr")
