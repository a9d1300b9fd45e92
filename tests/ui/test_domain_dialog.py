"""The domain dialog as a user drives it: name checked while typing, save, conflicts."""

from __future__ import annotations

from pathlib import Path

from dialog_helpers import (
    assert_fits_small_screen,
    message,
    popup_warnings,
    save_answering,
    shown,
)
from factories import OTHER_SIREN, client, domain
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QDialog, QWidget
from pytestqt.qtbot import QtBot

from desktop.db.engine import Database
from desktop.db.models import Provider
from desktop.services.domains import (
    ADMIN_CERTIFICATION_REQUIRED,
    DomainDetails,
    DomainDraft,
    get_domain,
    update_domain,
)
from desktop.ui.dialogs.domain_dialog import DomainDialog


def open_dialog(qtbot: QtBot, db: Database, **kwargs: object) -> DomainDialog:
    dialog = DomainDialog(None, db=db, actor="moi", **kwargs)  # type: ignore[arg-type]
    return shown(qtbot, dialog)


def type_text(qtbot: QtBot, widget: QWidget, text: str) -> None:
    """Type like ``keyClicks``, accented letters included (QTest only knows ASCII)."""
    for char in text:
        if char.isascii():
            qtbot.keyClicks(widget, char)
            continue
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            event = QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, char)
            QApplication.sendEvent(widget, event)


def test_a_refused_extension_is_explained_while_typing(qtbot: QtBot, sqlite_db: Database) -> None:
    owner = client(sqlite_db)
    dialog = open_dialog(qtbot, sqlite_db, client_id=owner.id)
    qtbot.mouseClick(dialog.certified, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(dialog.domain_name, "dupont")
    assert message(dialog, "domain_name") == (
        "Extension manquante : « dupont » n'est pas un nom de domaine complet "
        "(par exemple exemple.fr)."
    )
    qtbot.keyClicks(dialog.domain_name, ".tel")
    assert message(dialog, "domain_name") == (
        "L'extension « .tel » n'est pas compatible avec le service de messagerie."
    )
    assert not dialog.save_button.isEnabled()
    qtbot.keyClick(dialog.domain_name, Qt.Key.Key_Backspace)
    qtbot.keyClick(dialog.domain_name, Qt.Key.Key_Backspace)
    qtbot.keyClick(dialog.domain_name, Qt.Key.Key_Backspace)
    qtbot.keyClicks(dialog.domain_name, "fr")
    assert message(dialog, "domain_name") == ""
    assert dialog.save_button.isEnabled()


def test_the_refused_extensions_come_from_the_database(qtbot: QtBot, sqlite_db: Database) -> None:
    owner = client(sqlite_db)
    with sqlite_db.session_scope() as session:
        session.add(
            Provider(
                name="Messagerie Pro",
                legal_form="SAS",
                share_capital=1000,
                address_line1="1 rue de la Paix",
                postcode="75002",
                city="Paris",
                siren="552081317",
                rcs_city="Paris",
                vat_number="FR03552081317",
                refused_tlds="tel,bzh",
                updated_by="admin",
            )
        )
    dialog = open_dialog(qtbot, sqlite_db, client_id=owner.id)
    qtbot.keyClicks(dialog.domain_name, "breizh.bzh")
    assert message(dialog, "domain_name") == (
        "L'extension « .bzh » n'est pas compatible avec le service de messagerie."
    )


@popup_warnings
def test_create_a_domain_choosing_the_client(qtbot: QtBot, sqlite_db: Database) -> None:
    client(sqlite_db, name="Acme Industrie")
    durand = client(sqlite_db, name="Durand et fils", siren=OTHER_SIREN)
    dialog = open_dialog(qtbot, sqlite_db)
    assert dialog.client.isEnabled()
    assert message(dialog, "client_id") == ""
    assert not dialog.save_button.isEnabled()

    dialog.client.setFocus()
    qtbot.keyClicks(dialog.client.lineEdit(), "durand")
    popup = dialog.client.completer().popup()
    assert popup.isVisible()
    assert dialog.client.current_id() is None
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert dialog.client.current_id() == durand.id
    assert dialog.client.currentText() == "CL00002 — Durand et fils (Lyon)"

    type_text(qtbot, dialog.domain_name, "Café.FR")
    assert dialog.stored_as.text() == "Enregistré sous la forme xn--caf-dma.fr."
    assert not dialog.save_button.isEnabled()  # not certified yet
    qtbot.mouseClick(dialog.antispam, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.certified, Qt.MouseButton.LeftButton)
    assert dialog.save_button.isEnabled()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    assert dialog.result() == QDialog.DialogCode.Accepted
    stored = get_domain(sqlite_db, dialog.saved.id)
    assert stored == dialog.saved
    assert (stored.client_id, stored.name, stored.display_name) == (
        durand.id,
        "xn--caf-dma.fr",
        "café.fr",
    )
    assert not stored.antispam_enabled
    assert stored.is_primary  # the client's first domain
    assert stored.admin_certified_by == "moi"


def test_a_preset_client_is_locked(qtbot: QtBot, sqlite_db: Database) -> None:
    owner = client(sqlite_db, name="Acme Industrie", city=None)
    dialog = open_dialog(qtbot, sqlite_db, client_id=owner.id)
    assert not dialog.client.isEnabled()
    assert dialog.client.currentText() == "CL00001 — Acme Industrie"
    assert dialog.focusWidget() is dialog.domain_name


def test_unchecking_the_certification_says_why_it_is_needed(
    qtbot: QtBot, sqlite_db: Database
) -> None:
    owner = client(sqlite_db)
    dialog = open_dialog(qtbot, sqlite_db, client_id=owner.id)
    qtbot.keyClicks(dialog.domain_name, "acme.fr")
    assert message(dialog, "admin_certified") == ""
    assert "Certification de l'administrateur" in dialog.pending_hint.text()
    qtbot.mouseClick(dialog.certified, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.certified, Qt.MouseButton.LeftButton)
    assert message(dialog, "admin_certified") == ADMIN_CERTIFICATION_REQUIRED


def test_a_name_taken_by_another_client_is_refused(qtbot: QtBot, sqlite_db: Database) -> None:
    acme = client(sqlite_db, name="Acme Industrie")
    domain(sqlite_db, acme.id, "acme.fr")
    other = client(sqlite_db, name="Durand", siren=OTHER_SIREN)
    dialog = open_dialog(qtbot, sqlite_db, client_id=other.id)
    qtbot.keyClicks(dialog.domain_name, "ACME.fr")
    qtbot.mouseClick(dialog.certified, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.saved is None
    assert message(dialog, "domain_name") == (
        "Le domaine « acme.fr » est déjà enregistré pour le client Acme Industrie."
    )
    assert not dialog.save_button.isEnabled()


def edited(qtbot: QtBot, db: Database) -> tuple[DomainDialog, DomainDetails]:
    """A domain open in the dialog, then changed and saved from another desktop."""
    owner = client(db)
    details = domain(db, owner.id, "acme.fr")
    dialog = open_dialog(qtbot, db, details=details)
    assert dialog.domain_name.text() == "acme.fr"
    assert dialog.antispam.isChecked()
    assert dialog.certified.isChecked()
    assert dialog.certification.text().startswith("Certifié le ")
    assert dialog.save_button.isEnabled()
    other = update_domain(
        db,
        details.id,
        DomainDraft(
            client_id=owner.id,
            name="acme.fr",
            antispam_enabled=False,
            is_primary=True,
            admin_certified=True,
        ),
        expected_version=details.version,
        actor="autre-poste",
    )
    qtbot.keyClick(dialog.domain_name, Qt.Key.Key_End)
    qtbot.keyClicks(dialog.domain_name, "x")
    qtbot.keyClick(dialog.domain_name, Qt.Key.Key_Backspace)
    return dialog, other


def test_a_conflict_can_keep_the_form(qtbot: QtBot, sqlite_db: Database) -> None:
    dialog, other = edited(qtbot, sqlite_db)
    seen = save_answering(qtbot, dialog, "Annuler")
    assert seen[0].startswith("Ce domaine a été modifié par autre-poste le ")
    assert dialog.isVisible()
    assert dialog.antispam.isChecked()
    assert not get_domain(sqlite_db, other.id).antispam_enabled


def test_a_conflict_can_reload_the_record(qtbot: QtBot, sqlite_db: Database) -> None:
    dialog, other = edited(qtbot, sqlite_db)
    save_answering(qtbot, dialog, "Recharger")
    assert dialog.isVisible()
    assert not dialog.antispam.isChecked()
    assert not get_domain(sqlite_db, other.id).antispam_enabled
    qtbot.mouseClick(dialog.antispam, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert get_domain(sqlite_db, other.id).antispam_enabled


def test_the_dialog_fits_a_small_screen(qtbot: QtBot, sqlite_db: Database, tmp_path: Path) -> None:
    owner = client(sqlite_db)
    dialog = open_dialog(qtbot, sqlite_db, details=domain(sqlite_db, owner.id, "acme.fr"))
    assert_fits_small_screen(dialog, tmp_path / "domain.png")
