"""The welcome and settings dialogs as a user drives them: typing, errors, saving."""

from __future__ import annotations

import functools
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QDialog, QLineEdit
from pytestqt.qtbot import QtBot

from desktop.db.engine import Database
from desktop.domain.errors import ValidationError
from desktop.errors import UserError
from desktop.services.provider import (
    ProviderDetails,
    ProviderDraft,
    get_provider,
    provider_exists,
    save_provider,
)
from desktop.settings import LocalSettings, load_local_settings, save_local_settings
from desktop.ui.dialogs import settings as settings_module
from desktop.ui.dialogs import welcome as welcome_module
from desktop.ui.dialogs.provider_form import ProviderForm
from desktop.ui.dialogs.settings import SettingsDialog
from desktop.ui.dialogs.welcome import WelcomeDialog

ACTOR = "tester"
SIREN = "552081317"
VAT = "FR03552081317"

GOOD_FORM = {
    "name": "Nuage Armor",
    "siren": "552 081 317",
    "rcs_city": "Vannes",
    "email": "contact@nuage-armor.fr",
    "iban": "FR76 3000 6000 0112 3456 7890 189",
    "bic": "AGRIFRPP",
    "sepa_creditor_id": "FR72ZZZ123456",
    "address_line1": "14 rue du Commerce",
    "postcode": "56000",
    "city": "Vannes",
}


@pytest.fixture(autouse=True)
def config_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    return home


@pytest.fixture
def warnings_shown(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    shown: list[str] = []

    def record(_parent: object, _title: str, message: str) -> None:
        shown.append(message)

    monkeypatch.setattr(welcome_module, "show_warning", record)
    monkeypatch.setattr(settings_module, "show_warning", record)
    return shown


def type_into(qtbot: QtBot, edit: QLineEdit, text: str) -> None:
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    qtbot.keyClicks(edit, text)


def fill(qtbot: QtBot, form: ProviderForm, values: dict[str, str]) -> None:
    qtbot.keyClicks(form.legal_form.lineEdit(), "SAS")
    for field, text in values.items():
        type_into(qtbot, form.edits[field], text)


def make_welcome(qtbot: QtBot, save: Any) -> WelcomeDialog:
    dialog = WelcomeDialog(None, save)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def creator(db: Database) -> Any:
    return functools.partial(save_provider, db, expected_version=None, actor=ACTOR)


def updater(db: Database, actor: str = ACTOR) -> Any:
    def save(draft: ProviderDraft, version: int | None) -> ProviderDetails:
        return save_provider(db, draft, expected_version=version, actor=actor)

    return save


def png_file(path: Path, width: int = 240, height: int = 80) -> Path:
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("#1d5fa8"))
    assert image.save(str(path), "PNG")
    return path


# --- welcome ----------------------------------------------------------------------------


def test_a_bad_siren_is_explained_while_typing(qtbot: QtBot) -> None:
    dialog = make_welcome(qtbot, lambda _draft: None)
    form = dialog.form
    assert form.error_text("siren") == ""  # nothing in red before the user types
    qtbot.keyClicks(form.edits["siren"], "123")
    assert form.error_text("siren") == "Le SIREN doit comporter 9 chiffres (3 chiffres saisis)."
    assert not dialog.save_button.isEnabled()
    type_into(qtbot, form.edits["siren"], "552081318")
    assert form.error_text("siren") == "Clé de contrôle du SIREN invalide."
    type_into(qtbot, form.edits["siren"], SIREN)
    assert form.error_text("siren") == ""
    assert form.edits["vat_number"].placeholderText().startswith(VAT)
    assert "Raison sociale" in form.summary.text()  # what is still missing is named


def test_bank_details_are_checked_while_typing(qtbot: QtBot) -> None:
    dialog = make_welcome(qtbot, lambda _draft: None)
    form = dialog.form
    qtbot.keyClicks(form.edits["iban"], "FR76 3000 6000 0112 3456 7890 188")
    assert form.error_text("iban").startswith("Clé de contrôle de l'IBAN invalide")
    qtbot.keyClicks(form.edits["sepa_creditor_id"], "FR73ZZZ123456")
    assert form.error_text("sepa_creditor_id").startswith("Clé de contrôle de l'identifiant")
    qtbot.keyClicks(form.edits["vat_number"], "FR44732829320")
    qtbot.keyClicks(form.edits["siren"], SIREN)
    assert form.error_text("vat_number") == (
        f"Le n° de TVA ne correspond pas au SIREN {SIREN} (attendu : {VAT})."
    )


def test_a_good_form_is_saved(qtbot: QtBot, db: Database) -> None:
    dialog = make_welcome(qtbot, creator(db))
    with qtbot.waitSignal(dialog.form.validity_changed, timeout=5000) as valid:
        fill(qtbot, dialog.form, GOOD_FORM)
    assert valid.args == [True]
    assert dialog.form.is_valid() and dialog.save_button.isEnabled()
    assert dialog.form.summary.text() == "* obligatoire"
    with qtbot.waitSignal(dialog.finished, timeout=10_000) as finished:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert finished.args == [QDialog.DialogCode.Accepted.value]
    assert provider_exists(db)
    stored = get_provider(db)
    assert isinstance(dialog.saved, ProviderDetails) and dialog.saved == stored
    assert stored is not None
    assert (stored.name, stored.siren, stored.vat_number) == ("Nuage Armor", SIREN, VAT)
    assert stored.iban == "FR7630006000011234567890189"
    assert stored.legal_form == "SAS" and stored.share_capital == Decimal("0.00")


def test_the_demo_button_returns_the_demo_code(qtbot: QtBot) -> None:
    saved: list[ProviderDraft] = []
    dialog = make_welcome(qtbot, saved.append)
    with qtbot.waitSignal(dialog.finished, timeout=5000) as finished:
        qtbot.mouseClick(dialog.demo_button, Qt.MouseButton.LeftButton)
    assert finished.args == [WelcomeDialog.DEMO]
    assert dialog.result() == WelcomeDialog.DEMO == 2
    assert saved == []


def test_later_rejects(qtbot: QtBot) -> None:
    dialog = make_welcome(qtbot, lambda _draft: None)
    with qtbot.waitSignal(dialog.finished, timeout=5000) as finished:
        qtbot.mouseClick(dialog.later_button, Qt.MouseButton.LeftButton)
    assert finished.args == [QDialog.DialogCode.Rejected.value]


def test_errors_of_the_service_are_shown_under_the_fields(
    qtbot: QtBot, warnings_shown: list[str]
) -> None:
    def refuse(_draft: ProviderDraft) -> None:
        raise ValidationError({"siren": "SIREN déjà pris.", "payment_days": "Trop long."})

    dialog = make_welcome(qtbot, refuse)
    fill(qtbot, dialog.form, GOOD_FORM)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.form.error_text("siren") == "SIREN déjà pris.", timeout=5000)
    assert dialog.isVisible() and dialog.result() == 0
    assert warnings_shown == ["Délai de paiement (jours) : Trop long."]
    assert not dialog.save_button.isEnabled()
    type_into(qtbot, dialog.form.edits["siren"], SIREN)  # typing again clears it
    assert dialog.form.error_text("siren") == "" and dialog.save_button.isEnabled()


def test_a_user_error_is_shown_in_a_message_box(qtbot: QtBot, warnings_shown: list[str]) -> None:
    def unreachable(_draft: ProviderDraft) -> None:
        raise UserError("Connexion impossible au serveur de base de données.")

    dialog = make_welcome(qtbot, unreachable)
    fill(qtbot, dialog.form, GOOD_FORM)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(warnings_shown), timeout=5000)
    assert warnings_shown == ["Connexion impossible au serveur de base de données."]
    assert dialog.isVisible() and dialog.save_button.isEnabled()


def test_logo_preview_and_refusal(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = make_welcome(qtbot, lambda _draft: None)
    form = dialog.form
    assert form.set_logo_file(png_file(tmp_path / "logo.png"))
    assert not form.logo_preview.pixmap().isNull()
    assert form.remove_logo_button.isEnabled()
    assert form.draft().logo_mime == "image/png"
    gif = tmp_path / "logo.gif"
    gif.write_bytes(b"GIF89a" + b"\x00" * 32)
    assert not form.set_logo_file(gif)
    assert form.error_text("logo") == "Le logo doit être une image PNG ou JPEG."
    assert form.draft().logo_mime == "image/png"  # the previous logo stays
    qtbot.mouseClick(form.remove_logo_button, Qt.MouseButton.LeftButton)
    assert form.draft().logo is None and form.logo_preview.text() == "Aucun logo"
    assert form.error_text("logo") == ""


def test_the_welcome_dialog_fits_a_small_screen(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = make_welcome(qtbot, lambda _draft: None)
    fill(qtbot, dialog.form, {"siren": "1", "iban": "FR", "bic": "X", "postcode": "1"})
    image = dialog.grab()
    assert image.save(str(tmp_path / "welcome.png"))
    assert image.width() <= 1366 and image.height() <= 720


# --- settings ---------------------------------------------------------------------------


def provider(db: Database) -> ProviderDetails:
    draft = ProviderDraft(
        name="Nuage Armor",
        legal_form="SAS",
        share_capital=Decimal("50000.00"),
        address_line1="14 rue du Commerce",
        postcode="56000",
        city="Vannes",
        siren=SIREN,
        rcs_city="Vannes",
    )
    return save_provider(db, draft, expected_version=None, actor=ACTOR)


def make_settings(
    qtbot: QtBot,
    db: Database,
    details: ProviderDetails | None,
    *,
    actor: str = ACTOR,
    local: LocalSettings | None = None,
) -> SettingsDialog:
    dialog = SettingsDialog(
        None,
        details,
        updater(db, actor),
        local or load_local_settings(),
        save_local_settings,
        reload=functools.partial(get_provider, db),
    )
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_settings_save_refused_extensions_and_the_database(qtbot: QtBot, db: Database) -> None:
    details = provider(db)
    dialog = make_settings(qtbot, db, details)
    assert dialog.form.draft().name == "Nuage Armor"
    assert [dialog.tld_list.item(i).text() for i in range(dialog.tld_list.count())] == [".tel"]

    dialog.tabs.setCurrentIndex(2)
    qtbot.keyClicks(dialog.tld_edit, "co.uk")
    assert dialog.tld_error.text().startswith("« co.uk » n'est pas une extension")
    assert not dialog.add_tld_button.isEnabled()
    type_into(qtbot, dialog.tld_edit, ".TEL")
    assert dialog.tld_error.text() == "L'extension .tel est déjà dans la liste."
    dialog.tld_edit.setText(".Рф")  # QTest types Latin-1 only
    qtbot.mouseClick(dialog.add_tld_button, Qt.MouseButton.LeftButton)
    type_into(qtbot, dialog.tld_edit, "zip")
    qtbot.keyClick(dialog.tld_edit, Qt.Key.Key_Return)  # Enter adds, it does not save
    assert dialog.isVisible() and dialog.tld_edit.text() == ""
    assert set(dialog.refused_tlds()) == {"tel", "xn--p1ai", "zip"}
    dialog.tld_list.findItems(".tel", Qt.MatchFlag.MatchExactly)[0].setSelected(True)
    qtbot.mouseClick(dialog.remove_tld_button, Qt.MouseButton.LeftButton)
    assert set(dialog.refused_tlds()) == {"xn--p1ai", "zip"}

    dialog.tabs.setCurrentIndex(1)
    dialog.payment_days.setValue(45)
    dialog.vat_rate.setCurrentIndex(dialog.vat_rate.findText("5,5 %"))
    dialog.penalty_rate.setValue(10.37)

    dialog.tabs.setCurrentIndex(3)
    qtbot.keyClicks(dialog.database_url, "postgresql://bo@serveur/office")
    assert dialog.save_button.isEnabled()
    with qtbot.waitSignal(dialog.finished, timeout=10_000) as finished:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert finished.args == [QDialog.DialogCode.Accepted.value]

    stored = get_provider(db)
    assert stored is not None and stored == dialog.details
    assert set(stored.refused_tlds) == {"xn--p1ai", "zip"}
    assert (stored.payment_days, stored.default_vat_rate) == (45, Decimal("5.50"))
    assert stored.penalty_rate == Decimal("10.37") and stored.version == details.version + 1
    assert load_local_settings().database_url == "postgresql://bo@serveur/office"
    assert dialog.local.database_url == "postgresql://bo@serveur/office"


def test_settings_without_changes_write_nothing(qtbot: QtBot, db: Database) -> None:
    details = provider(db)
    saved_local: list[LocalSettings] = []
    dialog = SettingsDialog(None, details, updater(db), LocalSettings(), saved_local.append)
    qtbot.addWidget(dialog)
    assert not dialog.provider_changed()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted.value
    stored = get_provider(db)
    assert stored is not None and stored.version == details.version
    assert saved_local == []


def test_a_bad_database_address_blocks_saving(qtbot: QtBot, db: Database) -> None:
    dialog = make_settings(qtbot, db, provider(db))
    qtbot.keyClicks(dialog.database_url, "mysql://h/db")
    assert dialog.database_row.error.text().startswith("Type de base de données non pris")
    assert not dialog.save_button.isEnabled() and not dialog.test_button.isEnabled()
    dialog.database_url.clear()
    assert dialog.save_button.isEnabled()


def test_the_connection_test_runs_in_the_background(
    qtbot: QtBot, sqlite_db: Database, tmp_path: Path
) -> None:
    dialog = make_settings(qtbot, sqlite_db, None)
    path = sqlite_db.url.database
    assert path is not None
    qtbot.keyClicks(dialog.database_url, path)
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.test_result.text().startswith("Connexion"), timeout=10_000)
    qtbot.waitUntil(lambda: "réussie" in dialog.test_result.text(), timeout=10_000)
    assert path in dialog.test_result.text()
    missing = tmp_path / "nouvelle.sqlite3"
    type_into(qtbot, dialog.database_url, str(missing))
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "n'existe pas encore" in dialog.test_result.text(), timeout=10_000)
    assert not missing.exists()  # a test creates nothing
    type_into(qtbot, dialog.database_url, "postgresql://postgres@127.0.0.1:1/nulle")
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "impossible" in dialog.test_result.text(), timeout=15_000)


def test_settings_create_the_provider_when_there_is_none(qtbot: QtBot, db: Database) -> None:
    dialog = make_settings(qtbot, db, None)
    fill(qtbot, dialog.form, GOOD_FORM)
    assert dialog.provider_changed() and dialog.save_button.isEnabled()
    with qtbot.waitSignal(dialog.finished, timeout=10_000):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert provider_exists(db)


def test_a_conflict_offers_to_reload(
    qtbot: QtBot, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    details = provider(db)
    asked: list[str] = []

    def reload_please(_parent: object, message: str) -> bool:
        asked.append(message)
        return True

    monkeypatch.setattr(settings_module, "ask_reload", reload_please)
    first = make_settings(qtbot, db, details, actor="alice")
    second = make_settings(qtbot, db, details, actor="bob")
    type_into(qtbot, first.form.edits["city"], "Lorient")
    with qtbot.waitSignal(first.finished, timeout=10_000):
        qtbot.mouseClick(first.save_button, Qt.MouseButton.LeftButton)

    type_into(qtbot, second.form.edits["name"], "Autre nom")
    qtbot.mouseClick(second.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: second.form.edits["city"].text() == "Lorient", timeout=10_000)
    assert len(asked) == 1 and "modifiée par alice" in asked[0]
    assert second.isVisible() and second.form.edits["name"].text() == "Nuage Armor"
    assert second.details is not None and second.details.version == details.version + 1
    stored = get_provider(db)
    assert stored is not None and stored.name == "Nuage Armor" and stored.city == "Lorient"


def test_the_settings_dialog_fits_a_small_screen(
    qtbot: QtBot, db: Database, tmp_path: Path
) -> None:
    dialog = make_settings(qtbot, db, provider(db), local=LocalSettings())
    for index in range(dialog.tabs.count()):
        dialog.tabs.setCurrentIndex(index)
        image = dialog.grab()
        assert image.save(str(tmp_path / f"settings-{index}.png"))
        assert image.width() <= 1366 and image.height() <= 720
